aduan_py_test(NAME e2e_db_roles SCRIPT ${CMAKE_CURRENT_SOURCE_DIR}/test_db_roles.py LABEL e2e TIMEOUT 300)
