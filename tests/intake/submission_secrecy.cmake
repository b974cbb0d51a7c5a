aduan_c_test(NAME test_submission_secrecy SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/test_submission_secrecy.c LABEL integration
             LIBS intake_core)
# security: idempotency records that open only with their key
set_property(TEST test_submission_secrecy APPEND PROPERTY LABELS security)
