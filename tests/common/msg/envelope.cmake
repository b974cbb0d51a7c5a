aduan_c_test(NAME test_envelope SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/test_envelope.c LABEL unit)
