aduan_c_test(NAME test_institution_tree SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/test_institution_tree.c LABEL unit LIBS gateway_core)
# security: who is told of a report on the live stream
set_property(TEST test_institution_tree APPEND PROPERTY LABELS security)
