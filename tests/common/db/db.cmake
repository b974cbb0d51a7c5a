aduan_c_test(NAME test_db SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/test_db.c LABEL integration)
