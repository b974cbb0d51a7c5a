aduan_c_test(NAME test_stream_reader SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/test_stream_reader.c LABEL unit TIMEOUT 60)
