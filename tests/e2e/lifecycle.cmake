aduan_py_test(NAME e2e_lifecycle SCRIPT ${CMAKE_CURRENT_SOURCE_DIR}/test_lifecycle.py LABEL e2e TIMEOUT 400)
