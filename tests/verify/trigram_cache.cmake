aduan_c_test(NAME test_trigram_cache SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_trigram_cache.c LABEL unit)
