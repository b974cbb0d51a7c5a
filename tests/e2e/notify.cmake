aduan_py_test(NAME e2e_notify SCRIPT ${CMAKE_CURRENT_SOURCE_DIR}/test_notify.py LABEL e2e TIMEOUT 400)
