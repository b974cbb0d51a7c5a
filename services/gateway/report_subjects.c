#include "report_subjects.h"

#include <czmq.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "tracking_id.h"

/* A report as kept: its id inline (not NUL-ended when of full length) and its institution as an
 * index into the few institutions' codes, 16 bytes in all. As a hash of copied strings (an item,
 * a copy of the id, one of the code) a report cost about 130 bytes, 13 MB at 100 000 reports. */
typedef struct {
    char id[TRACKING_ID_LEN];
    uint16_t institution;   /* 1 + index into codes; 0: a free slot */
} slot_t;

#define FIRST_SLOTS 1024
#define INSTITUTIONS_MAX UINT16_MAX

struct report_subjects_t {
    size_t max;
    size_t count, capacity;   /* capacity: 0 or a power of two, at most 7/8 taken */
    slot_t *slots;
    char **codes;             /* the institutions seen, never forgotten: a few hundred */
    size_t code_count, code_cap;
    zhashx_t *code_index;     /* code -> 1 + its index in codes */
};

report_subjects_t *report_subjects_new(size_t max)
{
    report_subjects_t *self = calloc(1, sizeof *self);
    if (!self)
        return NULL;
    self->max = max;
    if (!(self->code_index = zhashx_new()))
        report_subjects_destroy(&self);
    return self;
}

void report_subjects_destroy(report_subjects_t **self_p)
{
    report_subjects_t *self = *self_p;
    if (self) {
        zhashx_destroy(&self->code_index);
        for (size_t i = 0; i < self->code_count; i++)
            free(self->codes[i]);
        free(self->codes);
        free(self->slots);
    }
    free(self);
    *self_p = NULL;
}

/* The institution's number (1 + its index), taking it in when new; 0 when it cannot be. */
static uint16_t code_number(report_subjects_t *self, const char *code)
{
    uintptr_t known = (uintptr_t) zhashx_lookup(self->code_index, code);
    if (known || self->code_count >= INSTITUTIONS_MAX)
        return (uint16_t) known;
    if (self->code_count == self->code_cap) {
        size_t cap = self->code_cap ? 2 * self->code_cap : 64;
        char **codes = realloc(self->codes, cap * sizeof *codes);
        if (!codes)
            return 0;
        self->codes = codes;
        self->code_cap = cap;
    }
    char *copy = strdup(code);
    uintptr_t number = self->code_count + 1;
    if (!copy || zhashx_insert(self->code_index, code, (void *) number) != 0) {
        free(copy);
        return 0;
    }
    self->codes[self->code_count++] = copy;
    return (uint16_t) number;
}

static size_t hash_id(const char id[TRACKING_ID_LEN])
{
    uint64_t h = 14695981039346656037u;
    for (size_t i = 0; i < TRACKING_ID_LEN; i++)
        h = (h ^ (unsigned char) id[i]) * 1099511628211u;
    return (size_t) h;
}

/* The slot of the id, or the free one where it would go; capacity > 0. */
static slot_t *find(const report_subjects_t *self, const char id[TRACKING_ID_LEN])
{
    size_t mask = self->capacity - 1;
    size_t i = hash_id(id) & mask;
    while (self->slots[i].institution && memcmp(self->slots[i].id, id, TRACKING_ID_LEN) != 0)
        i = (i + 1) & mask;
    return &self->slots[i];
}

static int grow(report_subjects_t *self)
{
    size_t capacity = self->capacity ? 2 * self->capacity : FIRST_SLOTS;
    slot_t *slots = calloc(capacity, sizeof *slots);
    if (!slots)
        return -1;
    slot_t *old = self->slots;
    size_t old_capacity = self->capacity;
    self->slots = slots;
    self->capacity = capacity;
    for (size_t i = 0; i < old_capacity; i++)
        if (old[i].institution)
            *find(self, old[i].id) = old[i];
    free(old);
    return 0;
}

/* The id as kept (NUL-padded); false when it is longer than any tracking id. */
static bool key_of(const char *tracking_id, char key[TRACKING_ID_LEN])
{
    size_t len = strlen(tracking_id);
    if (len > TRACKING_ID_LEN)
        return false;
    memset(key, 0, TRACKING_ID_LEN);
    memcpy(key, tracking_id, len);
    return true;
}

/* Past the bound, it starts again, and its memory goes back. */
static void start_again(report_subjects_t *self)
{
    free(self->slots);
    self->slots = NULL;
    self->count = self->capacity = 0;
}

int report_subjects_set(report_subjects_t *self, const char *tracking_id, const char *institution)
{
    char key[TRACKING_ID_LEN];
    if (!key_of(tracking_id, key))
        return -1;   /* so it was never kept either */
    uint16_t number = code_number(self, institution);
    if (!number) {   /* what it held for the report is no longer true: forgotten with the rest */
        start_again(self);
        return -1;
    }
    if (self->count >= self->max)
        start_again(self);
    /* up to 7/8 full, so that the feed's 100 000 reports fit in 131 072 slots (2 MB), not twice
     * as many: a look past a few more slots of 16 bytes costs less than that memory */
    if ((self->count + 1) * 8 > self->capacity * 7 && grow(self) != 0)
        return -1;
    slot_t *slot = find(self, key);
    if (!slot->institution) {
        memcpy(slot->id, key, TRACKING_ID_LEN);
        self->count++;
    }
    slot->institution = number;
    return 0;
}

const char *report_subjects_get(const report_subjects_t *self, const char *tracking_id)
{
    char key[TRACKING_ID_LEN];
    if (!self->capacity || !key_of(tracking_id, key))
        return NULL;
    const slot_t *slot = find(self, key);
    return slot->institution ? self->codes[slot->institution - 1] : NULL;
}
