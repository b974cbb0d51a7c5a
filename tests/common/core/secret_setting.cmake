aduan_c_test(NAME test_secret_setting SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/test_secret_setting.c LABEL unit)
