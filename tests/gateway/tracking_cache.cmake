aduan_c_test(NAME test_tracking_cache SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/test_tracking_cache.c LABEL unit LIBS gateway_core)
