# The staff search's copy of each report's text (migration 0049): written with the pre-checks,
# following a changed text, and no text index left on reports.
aduan_c_test(NAME test_report_search SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_report_search.c LABEL integration)
