aduan_c_test(NAME test_rate_limiter SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/test_rate_limiter.c LABEL unit LIBS gateway_core)
set_property(TEST test_rate_limiter APPEND PROPERTY LABELS security)
