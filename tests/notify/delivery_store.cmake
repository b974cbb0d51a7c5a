aduan_c_test(NAME test_delivery_store SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/test_delivery_store.c LABEL integration)
