#include "idle_memory.h"

#include <malloc.h>
#include <stdlib.h>

struct idle_memory_t {
    int64_t quiet_ms;
    uint64_t seen;        /* requests ended at the last look */
    int64_t last_change;  /* when that count last moved */
    bool owed;            /* requests were served since the last trim */
};

idle_memory_t *idle_memory_new(int64_t quiet_ms)
{
    idle_memory_t *self = calloc(1, sizeof *self);
    if (self)
        self->quiet_ms = quiet_ms;
    return self;
}

void idle_memory_destroy(idle_memory_t **self_p)
{
    free(*self_p);
    *self_p = NULL;
}

bool idle_memory_due(idle_memory_t *self, uint64_t requests_ended, int64_t now_ms)
{
    if (requests_ended != self->seen) {
        self->seen = requests_ended;
        self->last_change = now_ms;
        self->owed = true;
        return false;
    }
    if (!self->owed || now_ms - self->last_change < self->quiet_ms)
        return false;
    self->owed = false;
    return true;
}

void idle_memory_tick(idle_memory_t *self, uint64_t requests_ended, int64_t now_ms)
{
    if (idle_memory_due(self, requests_ended, now_ms))
        malloc_trim(0);
}
