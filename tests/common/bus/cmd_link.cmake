aduan_c_test(NAME test_cmd_link SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/test_cmd_link.c LABEL unit TIMEOUT 60)
