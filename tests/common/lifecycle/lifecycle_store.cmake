aduan_c_test(NAME test_lifecycle_store SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/test_lifecycle_store.c LABEL integration)
