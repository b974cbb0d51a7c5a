aduan_c_test(NAME test_cmd_mux SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/test_cmd_mux.c LABEL unit TIMEOUT 60)
