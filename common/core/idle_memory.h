#ifndef ADUAN_CORE_IDLE_MEMORY_H
#define ADUAN_CORE_IDLE_MEMORY_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* When a process gives the heap's free pages back to the system. After a burst (the gateway's
 * libmicrohttpd threads, a consumer's backlog with ZeroMQ's queue behind it) each thread's malloc
 * arena keeps its freed pages: glibc returns only the top of the main heap by itself, so an idle
 * service stayed at 37–60 MB. The pages go back once enough work was done and then nothing moved
 * for a quiet spell, so a steady load never pays for the trim, and a trim right after the work
 * would find the last of its memory still in use. */
typedef struct idle_memory_t idle_memory_t;

/* Shapes glibc's malloc for the whole process, once: its mmap and trim thresholds fixed at their
 * starting 128 kB, so that the freed top of any thread's arena goes back, and one arena for each
 * core (idle_memory.c). The arenas' bound holds only if set before a ninth arena is made: a
 * service calls this before it starts threads. */
void idle_memory_prepare(void);

/* A trim is due after a quiet spell of quiet_ms that followed at least min_work units of work. The
 * first one made also calls idle_memory_prepare. */
idle_memory_t *idle_memory_new(int64_t quiet_ms, uint64_t min_work);
void idle_memory_destroy(idle_memory_t **self_p);

/* Told the count of work done so far (requests ended, events handled) at time now_ms (any clock
 * that only goes forward): true when the memory is to be given back now: once when a quiet spell
 * begins after at least min_work, and again in that spell each time the heap's free bytes grew by
 * 1 MB since (what the work held may be freed only after the spell began). A quiet spell after
 * less than min_work forgets that work. The free bytes are read only in a quiet spell that
 * trimmed: reading them walks every arena, which a loop ticking under load must not pay for. */
bool idle_memory_due(idle_memory_t *self, uint64_t work_done, int64_t now_ms);

/* Where idle_memory_due reads the heap's free bytes; by default process_memory_heap_free. */
typedef size_t (*idle_memory_free_reader_t)(void);
void idle_memory_set_free_reader(idle_memory_t *self, idle_memory_free_reader_t reader);

/* Gives the heap's free pages back to the system, in every malloc arena. */
void idle_memory_give_back(void);

#endif
