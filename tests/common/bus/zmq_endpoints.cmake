aduan_c_test(NAME test_zmq_endpoints SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/test_zmq_endpoints.c LABEL unit)
# security: a plain server must not bind beyond loopback
set_property(TEST test_zmq_endpoints APPEND PROPERTY LABELS security)
