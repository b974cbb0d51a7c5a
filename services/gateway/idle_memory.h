#ifndef ADUAN_GATEWAY_IDLE_MEMORY_H
#define ADUAN_GATEWAY_IDLE_MEMORY_H
#include <stdbool.h>
#include <stdint.h>

/* When the gateway gives the heap's free pages back to the system. Every libmicrohttpd thread
 * allocates in a malloc arena of its own; after a burst of connections those arenas keep their
 * freed pages (glibc returns only the top of the main heap by itself), so an idle gateway stayed
 * at 37 MB after 256 connections. The pages go back once requests have been served and none has
 * ended for a while, so a steady load never pays for the trim. */
typedef struct idle_memory_t idle_memory_t;

idle_memory_t *idle_memory_new(int64_t quiet_ms);
void idle_memory_destroy(idle_memory_t **self_p);

/* Told the count of requests ended so far at time now_ms (any clock that only goes forward):
 * true when the memory is to be given back now, which happens once per quiet spell. */
bool idle_memory_due(idle_memory_t *self, uint64_t requests_ended, int64_t now_ms);

/* idle_memory_due, and when it says so, malloc_trim. */
void idle_memory_tick(idle_memory_t *self, uint64_t requests_ended, int64_t now_ms);

#endif
