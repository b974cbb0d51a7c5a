aduan_c_test(NAME test_reporter_code SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/test_reporter_code.c LABEL unit LIBS intake_core)
set_property(TEST test_reporter_code APPEND PROPERTY LABELS security)
