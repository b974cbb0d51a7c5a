aduan_c_test(NAME test_csv_table SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/test_csv_table.c LABEL unit LIBS gateway_core)
# security: CSV injection
set_property(TEST test_csv_table APPEND PROPERTY LABELS security)
