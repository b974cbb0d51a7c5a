aduan_c_test(NAME test_stream_hub SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_stream_hub.c LABEL integration)
