aduan_c_test(NAME test_secret_token SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/test_secret_token.c LABEL unit)
