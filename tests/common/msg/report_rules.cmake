aduan_c_test(NAME test_report_rules SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/test_report_rules.c LABEL unit)
