aduan_py_test(NAME e2e_limits SCRIPT ${CMAKE_CURRENT_SOURCE_DIR}/test_limits.py LABEL e2e TIMEOUT 300)
set_property(TEST e2e_limits APPEND PROPERTY LABELS security)
