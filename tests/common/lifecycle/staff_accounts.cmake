aduan_c_test(NAME test_staff_accounts SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/test_staff_accounts.c LABEL integration)
