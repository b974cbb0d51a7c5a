aduan_c_test(NAME test_http_reply SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/test_http_reply.c LABEL unit LIBS gateway_core)
