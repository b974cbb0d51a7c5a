aduan_py_test(NAME e2e_curve SCRIPT ${CMAKE_CURRENT_SOURCE_DIR}/test_curve.py LABEL security TIMEOUT 300)
