# Turns text files (SQL migrations, seeds, the OpenAPI document) into a C array so every binary
# carries exactly the files it was built with: no install paths to configure, nothing to drift.
#
# aduan_embed_files(OUTPUT <file.c> SYMBOL <name> FILES <f1> <f2> ...)
# generates:  const embedded_file_t <name>[]; const size_t <name>_count;
# in the order given (callers pass sorted lists, so numbered migrations stay ordered).
function(aduan_embed_files)
  cmake_parse_arguments(E "" "OUTPUT;SYMBOL" "FILES" ${ARGN})
  add_custom_command(
    OUTPUT ${E_OUTPUT}
    COMMAND ${CMAKE_COMMAND} -DOUTPUT=${E_OUTPUT} -DSYMBOL=${E_SYMBOL} "-DFILES=${E_FILES}"
            -P ${PROJECT_SOURCE_DIR}/cmake/EmbedFilesScript.cmake
    DEPENDS ${E_FILES} ${PROJECT_SOURCE_DIR}/cmake/EmbedFilesScript.cmake
    COMMENT "Embedding ${E_SYMBOL}"
    VERBATIM)
endfunction()
