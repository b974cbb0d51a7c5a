aduan_c_test(NAME test_text_buffer SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/test_text_buffer.c LABEL unit)
# The test makes realloc fail on purpose; AddressSanitizer would abort the process instead of
# returning NULL, which is not what the code meets outside a sanitized build.
set_tests_properties(test_text_buffer PROPERTIES
  ENVIRONMENT "ASAN_OPTIONS=detect_leaks=1:abort_on_error=1:allocator_may_return_null=1")
