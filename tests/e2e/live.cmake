aduan_py_test(NAME e2e_live SCRIPT ${CMAKE_CURRENT_SOURCE_DIR}/test_live.py LABEL e2e TIMEOUT 300)
set_property(TEST e2e_live APPEND PROPERTY LABELS security)
