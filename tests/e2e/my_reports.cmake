aduan_py_test(NAME e2e_my_reports SCRIPT ${CMAKE_CURRENT_SOURCE_DIR}/test_my_reports.py LABEL e2e TIMEOUT 300)
set_property(TEST e2e_my_reports APPEND PROPERTY LABELS security)
