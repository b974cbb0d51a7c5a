aduan_py_test(NAME e2e_notify_security SCRIPT ${CMAKE_CURRENT_SOURCE_DIR}/test_notify_security.py LABEL e2e TIMEOUT 300)
set_property(TEST e2e_notify_security APPEND PROPERTY LABELS security)
