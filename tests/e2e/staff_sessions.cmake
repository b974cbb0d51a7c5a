aduan_py_test(NAME e2e_staff_sessions SCRIPT ${CMAKE_CURRENT_SOURCE_DIR}/test_staff_sessions.py LABEL e2e TIMEOUT 300)
set_property(TEST e2e_staff_sessions APPEND PROPERTY LABELS security)
