aduan_c_test(NAME test_db_array SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/test_db_array.c LABEL integration)
