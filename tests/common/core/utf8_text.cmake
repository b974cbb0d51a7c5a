aduan_c_test(NAME test_utf8_text SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/test_utf8_text.c LABEL unit)
