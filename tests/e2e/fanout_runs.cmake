aduan_py_test(NAME e2e_fanout_runs SCRIPT ${CMAKE_CURRENT_SOURCE_DIR}/test_fanout_runs.py LABEL e2e TIMEOUT 300)
