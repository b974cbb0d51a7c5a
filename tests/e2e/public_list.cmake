aduan_py_test(NAME e2e_public_list SCRIPT ${CMAKE_CURRENT_SOURCE_DIR}/test_public_list.py LABEL e2e TIMEOUT 300)
