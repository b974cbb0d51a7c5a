#include "trigram_cache.h"

#include <stdlib.h>
#include <string.h>

typedef struct {
    int64_t id;
    trigram_set_t *set;
} slot_t;

struct trigram_cache_t {
    slot_t *slots;
    size_t slot_count, max_trigrams, held;
    size_t hand;        /* the next slot to empty when over max_trigrams */
    locale_t ctype;     /* (locale_t) 0: the C ctype */
};

trigram_cache_t *trigram_cache_new(size_t slots, size_t max_trigrams)
{
    trigram_cache_t *self = calloc(1, sizeof *self);
    if (self)
        self->slots = calloc(slots ? slots : 1, sizeof *self->slots);
    if (self)
        self->ctype = newlocale(LC_CTYPE_MASK, "C.UTF-8", (locale_t) 0);
    if (!self || !self->slots || self->ctype == (locale_t) 0) {
        trigram_cache_destroy(&self);
        return NULL;
    }
    self->slot_count = slots ? slots : 1;
    self->max_trigrams = max_trigrams;
    return self;
}

void trigram_cache_destroy(trigram_cache_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    trigram_cache_t *self = *self_p;
    trigram_cache_empty(self);
    free(self->slots);
    if (self->ctype != (locale_t) 0)
        freelocale(self->ctype);
    free(self);
    *self_p = NULL;
}

void trigram_cache_empty(trigram_cache_t *self)
{
    for (size_t i = 0; self->slots && i < self->slot_count; i++)   /* none when they failed to allocate */
        trigram_set_destroy(&self->slots[i].set);
    self->held = 0;
}

int trigram_cache_use_ctype(trigram_cache_t *self, const char *name)
{
    locale_t ctype = (locale_t) 0;
    if (strcmp(name, "C") != 0 && strcmp(name, "POSIX") != 0) {
        ctype = newlocale(LC_CTYPE_MASK, name, (locale_t) 0);
        if (ctype == (locale_t) 0)
            return -1;
    }
    if (self->ctype != (locale_t) 0)
        freelocale(self->ctype);
    self->ctype = ctype;
    trigram_cache_empty(self);
    return 0;
}

static slot_t *slot_of(const trigram_cache_t *self, int64_t id)
{
    return &self->slots[(uint64_t) id % self->slot_count];
}

const trigram_set_t *trigram_cache_get(const trigram_cache_t *self, int64_t id)
{
    const slot_t *slot = slot_of(self, id);
    return slot->set && slot->id == id ? slot->set : NULL;
}

static void empty(trigram_cache_t *self, slot_t *slot)
{
    if (slot->set)
        self->held -= trigram_set_size(slot->set);
    trigram_set_destroy(&slot->set);
}

trigram_set_t *trigram_cache_extract(const trigram_cache_t *self, const char *text, size_t len)
{
    return trigram_set_new(text, len, self->ctype);
}

void trigram_cache_put(trigram_cache_t *self, int64_t id, trigram_set_t **set_p)
{
    if (!*set_p)
        return;
    size_t size = trigram_set_size(*set_p);
    slot_t *slot = slot_of(self, id);
    empty(self, slot);
    for (size_t tried = 0; self->held + size > self->max_trigrams && tried < self->slot_count; tried++) {
        empty(self, &self->slots[self->hand]);
        self->hand = (self->hand + 1) % self->slot_count;
    }
    slot->id = id;
    slot->set = *set_p;
    *set_p = NULL;
    self->held += size;
}

size_t trigram_cache_trigrams(const trigram_cache_t *self)
{
    return self->held;
}
