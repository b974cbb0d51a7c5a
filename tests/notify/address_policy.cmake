aduan_c_test(NAME test_address_policy SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/test_address_policy.c LABEL unit)
set_property(TEST test_address_policy APPEND PROPERTY LABELS security)
