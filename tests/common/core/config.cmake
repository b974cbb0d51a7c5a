aduan_c_test(NAME test_config SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/test_config.c LABEL unit)
