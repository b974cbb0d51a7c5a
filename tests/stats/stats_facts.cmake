aduan_c_test(NAME test_stats_facts SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_stats_facts.c LABEL integration
             LIBS aduan_lifecycle)
