aduan_py_test(NAME e2e_federation SCRIPT ${CMAKE_CURRENT_SOURCE_DIR}/test_federation.py LABEL e2e TIMEOUT 400)
