aduan_py_test(NAME e2e_admin_config SCRIPT ${CMAKE_CURRENT_SOURCE_DIR}/test_admin_config.py LABEL e2e TIMEOUT 300)
