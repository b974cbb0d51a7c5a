aduan_py_test(NAME e2e_stats SCRIPT ${CMAKE_CURRENT_SOURCE_DIR}/test_stats.py LABEL e2e TIMEOUT 400)
aduan_py_test(NAME e2e_stats_cache SCRIPT ${CMAKE_CURRENT_SOURCE_DIR}/test_stats_cache.py LABEL e2e TIMEOUT 400)
aduan_py_test(NAME e2e_stats_rollup SCRIPT ${CMAKE_CURRENT_SOURCE_DIR}/test_stats_rollup.py LABEL e2e TIMEOUT 400)
aduan_py_test(NAME e2e_stats_runs SCRIPT ${CMAKE_CURRENT_SOURCE_DIR}/test_stats_runs.py LABEL e2e TIMEOUT 400)
