aduan_c_test(NAME test_desk_filter_codec SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/test_desk_filter_codec.c LABEL unit)
