# The bound is on what glibc's malloc keeps after a load; AddressSanitizer's allocator keeps freed
# memory in quarantine and maps shadow memory (371 MB idle in the sanitizer build), so there is
# nothing to measure there.
if(NOT ADUAN_SANITIZE)
  aduan_py_test(NAME e2e_gateway_memory SCRIPT ${CMAKE_CURRENT_SOURCE_DIR}/test_gateway_memory.py LABEL e2e TIMEOUT 300)
endif()
