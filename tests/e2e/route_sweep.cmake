aduan_py_test(NAME e2e_route_sweep SCRIPT ${CMAKE_CURRENT_SOURCE_DIR}/test_route_sweep.py LABEL e2e TIMEOUT 240)
