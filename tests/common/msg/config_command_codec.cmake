aduan_c_test(NAME test_config_command_codec SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/test_config_command_codec.c LABEL unit)
