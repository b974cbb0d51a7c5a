aduan_py_test(NAME e2e_gateway_stop SCRIPT ${CMAKE_CURRENT_SOURCE_DIR}/test_gateway_stop.py LABEL e2e TIMEOUT 120)
