# Embeds a folder of web pages and their assets into a binary, ready to serve: no build step and no
# install path at runtime.
#
# aduan_web_assets(OUTPUT <file.c> SYMBOL <name> [PREFIX </url/of/assets>] FILES <f1> <f2> ...)
# generates, like aduan_embed_files, const embedded_file_t <name>[] and <name>_count, holding:
#   - every file under its base name, "@ASSETS@" in .html files replaced by "<prefix>/<version>"
#     (PREFIX defaults to /assets; another site of the same gateway, the staff console, names its own);
#   - "<name>.gz" beside each text file (html, css, js, json, svg, txt), gzip -9 -n made here so the
#     server never compresses per request;
#   - "asset-version": <version>, the first 16 hex digits of the SHA-256 of all the files, so a
#     changed asset has a new URL and the old one may be cached for ever.
function(aduan_web_assets)
  cmake_parse_arguments(W "" "OUTPUT;SYMBOL;PREFIX" "FILES" ${ARGN})
  if(NOT W_PREFIX)
    set(W_PREFIX /assets)
  endif()
  find_program(ADUAN_GZIP gzip REQUIRED)
  add_custom_command(
    OUTPUT ${W_OUTPUT}
    COMMAND ${CMAKE_COMMAND} -DOUTPUT=${W_OUTPUT} -DSYMBOL=${W_SYMBOL} -DPREFIX=${W_PREFIX} "-DSOURCES=${W_FILES}" -DGZIP=${ADUAN_GZIP}
            -P ${PROJECT_SOURCE_DIR}/cmake/WebAssetsScript.cmake
    DEPENDS ${W_FILES} ${PROJECT_SOURCE_DIR}/cmake/WebAssetsScript.cmake ${PROJECT_SOURCE_DIR}/cmake/WebFrame.cmake ${PROJECT_SOURCE_DIR}/cmake/EmbedFilesScript.cmake
    COMMENT "Embedding web assets ${W_SYMBOL}"
    VERBATIM)
endfunction()
