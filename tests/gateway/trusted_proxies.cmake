aduan_c_test(NAME test_trusted_proxies SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/test_trusted_proxies.c LABEL unit LIBS gateway_core)
set_property(TEST test_trusted_proxies APPEND PROPERTY LABELS security)
