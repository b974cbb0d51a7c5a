aduan_c_test(NAME test_desk_filter_store SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/test_desk_filter_store.c LABEL integration LIBS intake_core)
