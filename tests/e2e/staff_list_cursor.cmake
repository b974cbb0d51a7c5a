aduan_py_test(NAME e2e_staff_list_cursor SCRIPT ${CMAKE_CURRENT_SOURCE_DIR}/test_staff_list_cursor.py LABEL e2e TIMEOUT 300)
