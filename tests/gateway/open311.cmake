aduan_c_test(NAME test_open311_form SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/test_open311_form.c LABEL unit LIBS gateway_core)
