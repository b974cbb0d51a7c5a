aduan_c_test(NAME test_retry_backoff SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/test_retry_backoff.c LABEL unit)
