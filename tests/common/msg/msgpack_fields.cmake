aduan_c_test(NAME test_msgpack_fields SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/test_msgpack_fields.c LABEL unit)
