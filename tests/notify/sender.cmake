aduan_c_test(NAME test_sender SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/test_sender.c LABEL integration)
