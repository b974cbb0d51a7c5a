aduan_c_test(NAME test_link_list SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/test_link_list.c LABEL unit)
