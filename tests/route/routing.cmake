# Each report's choice of holder, and a run's reads of a large reference tree.
aduan_c_test(NAME test_routing SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_routing.c LABEL integration)
