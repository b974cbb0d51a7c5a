aduan_c_test(NAME test_report_subjects SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/test_report_subjects.c LABEL unit LIBS gateway_core)
