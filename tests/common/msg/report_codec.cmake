aduan_c_test(NAME test_report_codec SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/test_report_codec.c LABEL unit)
