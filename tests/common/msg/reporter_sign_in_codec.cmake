aduan_c_test(NAME test_reporter_sign_in_codec SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/test_reporter_sign_in_codec.c LABEL unit)
