aduan_c_test(NAME test_metrics SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/test_metrics.c LABEL unit)
