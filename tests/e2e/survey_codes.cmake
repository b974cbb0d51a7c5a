aduan_py_test(NAME e2e_survey_codes SCRIPT ${CMAKE_CURRENT_SOURCE_DIR}/test_survey_codes.py LABEL e2e TIMEOUT 300)
set_property(TEST e2e_survey_codes APPEND PROPERTY LABELS security)
