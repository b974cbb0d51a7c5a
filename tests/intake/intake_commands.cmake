aduan_c_test(NAME test_intake_commands SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/test_intake_commands.c LABEL integration LIBS intake_core)
