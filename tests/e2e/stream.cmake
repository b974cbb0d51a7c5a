aduan_py_test(NAME e2e_stream SCRIPT ${CMAKE_CURRENT_SOURCE_DIR}/test_stream.py LABEL e2e TIMEOUT 300)
