aduan_py_test(NAME e2e_gateway_memory SCRIPT ${CMAKE_CURRENT_SOURCE_DIR}/test_gateway_memory.py LABEL e2e TIMEOUT 300)
