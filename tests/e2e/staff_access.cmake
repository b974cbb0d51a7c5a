aduan_py_test(NAME e2e_staff_access SCRIPT ${CMAKE_CURRENT_SOURCE_DIR}/test_staff_access.py LABEL e2e TIMEOUT 300)
