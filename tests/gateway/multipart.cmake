aduan_c_test(NAME test_multipart SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/test_multipart.c LABEL unit LIBS gateway_core)
set_property(TEST test_multipart APPEND PROPERTY LABELS security)
