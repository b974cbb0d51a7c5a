aduan_c_test(NAME test_reporter_contact SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/test_reporter_contact.c LABEL unit)
