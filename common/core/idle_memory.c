#include "idle_memory.h"

#include <malloc.h>
#include <pthread.h>
#include <stdlib.h>
#include <unistd.h>

#include "process_memory.h"

/* Freed again since the last trim before a further trim in the same quiet spell: smaller gains
 * are not worth the walk over the heap. At 4 MB the gateway kept the 3-4 MB its live feed freed
 * after a burst of events (no request ended meanwhile): a fifth of an idle service's 20 MB. */
#define REGROWN_BYTES ((size_t) 1 << 20)

struct idle_memory_t {
    int64_t quiet_ms;
    uint64_t min_work;
    uint64_t seen;        /* work done at the last look */
    int64_t last_change;  /* when that count last moved */
    uint64_t judged;      /* work done when the last quiet spell was judged */
    bool trimmed;         /* the spell being judged called for a trim */
    size_t free_at_trim;  /* the heap's free bytes at its last trim (or least since) */
    idle_memory_free_reader_t free_bytes;
};

/* glibc's starting thresholds, kept. By default glibc raises its mmap threshold to the size of any
 * large block freed, and its trim threshold to twice that (up to 64 MB); a thread arena's free top
 * below that threshold then stays, since malloc_trim gives back the main arena's top only. Fixed,
 * a thread arena's top goes back when the block next to it is freed (setting them is what turns
 * glibc's adjustment off). */
#define HEAP_THRESHOLD_BYTES (128 * 1024)

/* glibc gives each thread that allocates while the others hold theirs an arena of its own, up to
 * eight for each core, and a trim leaves every thread arena its top (up to the trim threshold and
 * its pad): the gateway's thirteen arenas (its HTTP workers, ZeroMQ's and the feed's threads) kept
 * about 3 MB after a load. No more threads allocate at once than there are cores, so one arena for
 * each core keeps what the arenas are for. */
static int arenas_for_the_cores(void)
{
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    return cores < 2 ? 2 : (int) cores;
}

static pthread_once_t malloc_once = PTHREAD_ONCE_INIT;

static void shape_malloc(void)
{
    /* mallopt refuses only values out of its range, which these are not. */
    (void) mallopt(M_MMAP_THRESHOLD, HEAP_THRESHOLD_BYTES);
    (void) mallopt(M_TRIM_THRESHOLD, HEAP_THRESHOLD_BYTES);
    (void) mallopt(M_ARENA_MAX, arenas_for_the_cores());
}

void idle_memory_prepare(void)
{
    pthread_once(&malloc_once, shape_malloc);
}

idle_memory_t *idle_memory_new(int64_t quiet_ms, uint64_t min_work)
{
    idle_memory_prepare();
    idle_memory_t *self = calloc(1, sizeof *self);
    if (self) {
        self->quiet_ms = quiet_ms;
        self->min_work = min_work;
        self->free_bytes = process_memory_heap_free;
    }
    return self;
}

void idle_memory_set_free_reader(idle_memory_t *self, idle_memory_free_reader_t reader)
{
    self->free_bytes = reader;
}

void idle_memory_destroy(idle_memory_t **self_p)
{
    free(*self_p);
    *self_p = NULL;
}

/* The memory of the work may be freed after its spell began (a consumer drops the live events
 * queued while it was behind only once it has caught up): each time the free heap grew again by
 * REGROWN_BYTES, the spell trims again. */
static bool freed_since_trim(idle_memory_t *self)
{
    if (!self->trimmed)
        return false;
    size_t free_bytes = self->free_bytes();
    if (free_bytes < self->free_at_trim)
        self->free_at_trim = free_bytes;
    if (free_bytes - self->free_at_trim < REGROWN_BYTES)
        return false;
    self->free_at_trim = free_bytes;
    return true;
}

bool idle_memory_due(idle_memory_t *self, uint64_t work_done, int64_t now_ms)
{
    if (work_done != self->seen) {
        self->seen = work_done;
        self->last_change = now_ms;
        return false;
    }
    if (now_ms - self->last_change < self->quiet_ms)
        return false;
    if (self->seen == self->judged)
        return freed_since_trim(self);
    uint64_t work = self->seen - self->judged;
    self->judged = self->seen;
    self->trimmed = work >= self->min_work;
    if (self->trimmed)
        self->free_at_trim = self->free_bytes();
    return self->trimmed;
}

void idle_memory_give_back(void)
{
    malloc_trim(0);
}
