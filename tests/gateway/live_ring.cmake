aduan_c_test(NAME test_live_ring SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/test_live_ring.c LABEL unit LIBS gateway_core)
