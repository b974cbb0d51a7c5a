aduan_c_test(NAME test_attachment_commands SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/test_attachment_commands.c LABEL integration LIBS intake_core)
set_property(TEST test_attachment_commands APPEND PROPERTY LABELS security)
