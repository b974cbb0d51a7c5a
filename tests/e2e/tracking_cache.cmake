aduan_py_test(NAME e2e_tracking_cache SCRIPT ${CMAKE_CURRENT_SOURCE_DIR}/test_tracking_cache.py LABEL e2e TIMEOUT 300)
set_property(TEST e2e_tracking_cache APPEND PROPERTY LABELS security)
