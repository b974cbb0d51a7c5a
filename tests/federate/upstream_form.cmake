aduan_c_test(NAME test_upstream_form SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/test_upstream_form.c LABEL unit)
