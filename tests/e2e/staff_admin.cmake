aduan_py_test(NAME e2e_staff_admin SCRIPT ${CMAKE_CURRENT_SOURCE_DIR}/test_staff_admin.py LABEL e2e TIMEOUT 300)
