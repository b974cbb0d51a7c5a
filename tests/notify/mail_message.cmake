aduan_c_test(NAME test_mail_message SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/test_mail_message.c LABEL unit)
