aduan_c_test(NAME test_report_rules SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/test_report_rules.c LABEL unit)
# security: idempotency keys that cannot be guessed, e-mail header specials, LIKE wildcards in codes
set_property(TEST test_report_rules APPEND PROPERTY LABELS security)
