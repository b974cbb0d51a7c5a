aduan_c_test(NAME test_static_site SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/test_static_site.c LABEL unit LIBS gateway_core)
set_property(TEST test_static_site APPEND PROPERTY LABELS security)
