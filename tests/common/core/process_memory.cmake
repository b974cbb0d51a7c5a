aduan_c_test(NAME test_process_memory SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/test_process_memory.c LABEL unit LIBS aduan_core)
