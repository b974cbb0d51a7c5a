aduan_c_test(NAME test_stats_cache SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_stats_cache.c LABEL unit)
