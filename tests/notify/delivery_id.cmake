aduan_c_test(NAME test_delivery_id SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/test_delivery_id.c LABEL unit)
set_property(TEST test_delivery_id APPEND PROPERTY LABELS security)
