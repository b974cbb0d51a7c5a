aduan_c_test(NAME test_event_log SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/test_event_log.c LABEL integration)
