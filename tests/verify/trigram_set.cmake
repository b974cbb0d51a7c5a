aduan_c_test(NAME test_trigram_set SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_trigram_set.c LABEL unit)
# The same scores and trigram counts as pg_trgm in the test cluster, on varied texts.
aduan_c_test(NAME test_trigram_set_pg_trgm SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_trigram_set_pg_trgm.c
             LABEL integration)
