# The reports and words a run of events reads at its start, by key however the table grew.
aduan_c_test(NAME test_fanout_run SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_fanout_run.c LABEL integration
             LIBS aduan_lifecycle)
