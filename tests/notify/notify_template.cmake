aduan_c_test(NAME test_notify_template SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/test_notify_template.c LABEL unit)
