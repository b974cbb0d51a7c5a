aduan_c_test(NAME test_stats_gauges SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_stats_gauges.c LABEL integration)
