aduan_c_test(NAME test_public_list_codec SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/test_public_list_codec.c LABEL unit)
