aduan_py_test(NAME e2e_follow SCRIPT ${CMAKE_CURRENT_SOURCE_DIR}/test_follow.py LABEL e2e TIMEOUT 400)
