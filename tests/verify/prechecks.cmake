# The pre-checks recorded by verify against the statement that scored duplicates in PostgreSQL.
aduan_c_test(NAME test_prechecks SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_prechecks.c LABEL integration)
