#include "idle_memory.h"

#include <malloc.h>
#include <stdlib.h>

struct idle_memory_t {
    int64_t quiet_ms;
    uint64_t min_work;
    uint64_t seen;        /* work done at the last look */
    int64_t last_change;  /* when that count last moved */
    uint64_t judged;      /* work done when the last quiet spell was judged */
};

idle_memory_t *idle_memory_new(int64_t quiet_ms, uint64_t min_work)
{
    idle_memory_t *self = calloc(1, sizeof *self);
    if (self) {
        self->quiet_ms = quiet_ms;
        self->min_work = min_work;
    }
    return self;
}

void idle_memory_destroy(idle_memory_t **self_p)
{
    free(*self_p);
    *self_p = NULL;
}

bool idle_memory_due(idle_memory_t *self, uint64_t work_done, int64_t now_ms)
{
    if (work_done != self->seen) {
        self->seen = work_done;
        self->last_change = now_ms;
        return false;
    }
    if (self->seen == self->judged || now_ms - self->last_change < self->quiet_ms)
        return false;
    uint64_t work = self->seen - self->judged;
    self->judged = self->seen;
    return work >= self->min_work;
}

void idle_memory_give_back(void)
{
    malloc_trim(0);
}

void idle_memory_tick(idle_memory_t *self, uint64_t work_done, int64_t now_ms)
{
    if (idle_memory_due(self, work_done, now_ms))
        idle_memory_give_back();
}
