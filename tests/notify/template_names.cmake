aduan_c_test(NAME test_template_names SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/test_template_names.c LABEL unit)
