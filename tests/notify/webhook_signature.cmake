aduan_c_test(NAME test_webhook_signature SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/test_webhook_signature.c LABEL unit)
