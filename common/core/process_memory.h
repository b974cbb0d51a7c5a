#ifndef ADUAN_CORE_PROCESS_MEMORY_H
#define ADUAN_CORE_PROCESS_MEMORY_H
#include <stddef.h>

/* What this process's memory is made of: its resident pages, and of malloc's, what is handed out
 * and what lies free in the arenas. RSS alone cannot tell a service that holds its data from one
 * whose freed blocks sit between blocks still in use (pages a trim cannot give back). The heap
 * figures walk every arena's free lists (mallinfo2): read them on a scrape, not per request. */

/* Bytes malloc has handed out and not had back, in its arenas and in chunks it mapped on its own. */
size_t process_memory_heap_in_use(void);

/* Free bytes in every malloc arena. */
size_t process_memory_heap_free(void);

/* Resident bytes of the process (/proc/self/statm); 0 where that cannot be read. */
size_t process_memory_resident(void);

/* Sets the gauges process_resident_memory_bytes, aduan_heap_in_use_bytes and
 * aduan_heap_free_bytes (metrics.h) to the figures above. */
void process_memory_publish(void);

#endif
