aduan_c_test(NAME test_stats_query_codec SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/test_stats_query_codec.c LABEL unit)
