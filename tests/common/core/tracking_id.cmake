aduan_c_test(NAME test_tracking_id SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/test_tracking_id.c LABEL unit)
