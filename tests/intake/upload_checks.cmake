aduan_c_test(NAME test_upload_checks SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/test_upload_checks.c LABEL unit LIBS intake_core PkgConfig::VIPS)
set_property(TEST test_upload_checks APPEND PROPERTY LABELS security)
