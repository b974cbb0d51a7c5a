aduan_c_test(NAME test_admin_http SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/test_admin_http.c LABEL unit)
