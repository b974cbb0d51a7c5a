aduan_c_test(NAME test_report_events SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/test_report_events.c LABEL unit)
set_tests_properties(test_report_events PROPERTIES LABELS "unit;security")
