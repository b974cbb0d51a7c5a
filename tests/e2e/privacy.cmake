aduan_py_test(NAME e2e_privacy SCRIPT ${CMAKE_CURRENT_SOURCE_DIR}/test_privacy.py LABEL e2e TIMEOUT 400)
set_tests_properties(e2e_privacy PROPERTIES LABELS "e2e;security")
