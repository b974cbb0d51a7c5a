aduan_c_test(NAME test_event_consumer SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/test_event_consumer.c LABEL integration)
