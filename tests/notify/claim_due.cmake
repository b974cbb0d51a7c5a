aduan_c_test(NAME test_claim_due SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/test_claim_due.c LABEL unit)
