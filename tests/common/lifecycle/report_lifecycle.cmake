aduan_c_test(NAME test_report_lifecycle SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/test_report_lifecycle.c LABEL unit)
