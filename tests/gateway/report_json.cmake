aduan_c_test(NAME test_report_json SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/test_report_json.c LABEL unit LIBS gateway_core)
