#ifndef ADUAN_CORE_IDLE_MEMORY_H
#define ADUAN_CORE_IDLE_MEMORY_H
#include <stdbool.h>
#include <stdint.h>

/* When a process gives the heap's free pages back to the system. After a burst (the gateway's
 * libmicrohttpd threads, a consumer's backlog with ZeroMQ's queue behind it) each thread's malloc
 * arena keeps its freed pages: glibc returns only the top of the main heap by itself, so an idle
 * service stayed at 37–60 MB. The pages go back once enough work was done and then nothing moved
 * for a quiet spell, so a steady load never pays for the trim, and a trim right after the work
 * would find the last of its memory still in use. */
typedef struct idle_memory_t idle_memory_t;

/* A trim is due after a quiet spell of quiet_ms that followed at least min_work units of work. */
idle_memory_t *idle_memory_new(int64_t quiet_ms, uint64_t min_work);
void idle_memory_destroy(idle_memory_t **self_p);

/* Told the count of work done so far (requests ended, events handled) at time now_ms (any clock
 * that only goes forward): true when the memory is to be given back now, at most once per quiet
 * spell. A quiet spell after less than min_work forgets that work. */
bool idle_memory_due(idle_memory_t *self, uint64_t work_done, int64_t now_ms);

/* Gives the heap's free pages back to the system, in every malloc arena. */
void idle_memory_give_back(void);

/* idle_memory_due, and when it says so, idle_memory_give_back. */
void idle_memory_tick(idle_memory_t *self, uint64_t work_done, int64_t now_ms);

#endif
