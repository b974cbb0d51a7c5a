aduan_c_test(NAME test_logger SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/test_logger.c LABEL unit)
