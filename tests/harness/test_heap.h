#ifndef ADUAN_TEST_HEAP_H
#define ADUAN_TEST_HEAP_H
#include <stddef.h>

/* Bytes malloc has handed out and not had back, in its arenas and in chunks it mapped on its own
 * (mallinfo2): what a test compares before and after to see what a structure keeps. */
size_t test_heap_in_use(void);

#endif
