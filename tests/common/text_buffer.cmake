aduan_c_test(NAME test_text_buffer SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/test_text_buffer.c LABEL unit)
