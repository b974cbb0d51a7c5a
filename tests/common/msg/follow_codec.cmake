aduan_c_test(NAME test_follow_codec SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/test_follow_codec.c LABEL unit)
