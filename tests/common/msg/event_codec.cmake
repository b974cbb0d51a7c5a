aduan_c_test(NAME test_event_codec SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/test_event_codec.c LABEL unit)
