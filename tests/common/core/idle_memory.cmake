aduan_c_test(NAME test_idle_memory SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/test_idle_memory.c LABEL unit LIBS aduan_core)
