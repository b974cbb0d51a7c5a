aduan_c_test(NAME test_migrate SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/test_migrate.c LABEL integration)
