aduan_py_test(NAME e2e_waiting_requests SCRIPT ${CMAKE_CURRENT_SOURCE_DIR}/test_waiting_requests.py LABEL e2e TIMEOUT 300)
