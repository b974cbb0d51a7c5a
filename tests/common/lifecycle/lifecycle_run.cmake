aduan_c_test(NAME test_lifecycle_run SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/test_lifecycle_run.c LABEL integration)
