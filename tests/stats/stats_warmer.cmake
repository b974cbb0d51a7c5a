aduan_c_test(NAME test_stats_warmer SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_stats_warmer.c LABEL unit)
