# The frame of the web pages, so that the header, its links and the language switch of a site are
# written once and every page is whole before any script runs (the strict CSP allows no other way
# of sharing HTML than serving it whole).
#
# A source named <name>.part.html is a part, not a page: "@PART:<name>@" in a page or a part stands
# for it. The part named "frame" is the page around every page:
#   - "@PAGE@" the page's name (its data-page), in the frame and in the parts the page names, "@HEAD@" the page's own head lines, "@BODY@" the rest;
#   - a page is then written as <head data-page="name">, its own head lines, </head>, its body.
# Parts are kept in variables WEB_PART_<name> of the caller's scope.

function(web_frame_read_parts sources)
  foreach(path IN LISTS sources)
    get_filename_component(name "${path}" NAME)
    if(name MATCHES "^([a-z0-9-]+)\\.part\\.html$")
      if(DEFINED "WEB_PART_${CMAKE_MATCH_1}")
        message(FATAL_ERROR "two web parts are named ${name}")
      endif()
      set(part "${CMAKE_MATCH_1}")
      file(READ "${path}" text)
      # the line that names a part ends it: its own last line break would make a blank line
      string(REGEX REPLACE "\n$" "" text "${text}")
      set("WEB_PART_${part}" "${text}")
      set("WEB_PART_${part}" "${text}" PARENT_SCOPE)
    endif()
  endforeach()
endfunction()

# `text` with every @PART:name@ replaced, parts within parts too, into `out`.
function(web_frame_fill_parts name text out)
  foreach(depth RANGE 8)
    if(NOT text MATCHES "@PART:([a-z0-9-]+)@")
      set(${out} "${text}" PARENT_SCOPE)
      return()
    endif()
    set(part "${CMAKE_MATCH_1}")
    if(NOT DEFINED "WEB_PART_${part}")
      message(FATAL_ERROR "${name} names @PART:${part}@ but no ${part}.part.html is among the sources")
    endif()
    string(REPLACE "@PART:${part}@" "${WEB_PART_${part}}" text "${text}")
  endforeach()
  message(FATAL_ERROR "${name}: parts within parts deeper than 8 (a part that names itself?)")
endfunction()

# The page `name` whose source is `text`, framed when there is a frame, into `out`.
function(web_frame_page name text out)
  if(DEFINED WEB_PART_frame)
    if(NOT text MATCHES "^<head data-page=\"([a-z0-9-]+)\">\n")
      message(FATAL_ERROR "${name}: a framed page starts with <head data-page=\"its name\">")
    endif()
    set(page "${CMAKE_MATCH_1}")
    string(LENGTH "${CMAKE_MATCH_0}" start)
    string(FIND "${text}" "</head>\n" end)
    if(end LESS 0)
      message(FATAL_ERROR "${name}: a framed page ends its head lines with </head>")
    endif()
    math(EXPR head_length "${end} - ${start}")
    math(EXPR body_start "${end} + 8")
    string(SUBSTRING "${text}" ${start} ${head_length} head)
    string(SUBSTRING "${text}" ${body_start} -1 body)
    set(text "${WEB_PART_frame}")
    string(REPLACE "@PAGE@" "${page}" text "${text}")
    string(REPLACE "@HEAD@" "${head}" text "${text}")
    string(REPLACE "@BODY@" "${body}" text "${text}")
  endif()
  web_frame_fill_parts("${name}" "${text}" text)
  # again once the parts are in: a part shared by pages names each page's own catalogue keys
  if(DEFINED page)
    string(REPLACE "@PAGE@" "${page}" text "${text}")
  endif()
  set(${out} "${text}" PARENT_SCOPE)
endfunction()
