#include "tracking_cache.h"

#include <czmq.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "link_list.h"

/* Forgets are counted per stripe of tracking ids, so that a steady flow of events about other
 * reports does not stop every answer in flight from being kept. */
#define STRIPES 256

/* Owns its id (the key it is found by in the table) and its view. */
typedef struct entry_t {
    char *id;
    char *view;
    size_t size;   /* what it costs, bookkeeping included */
    int64_t kept_at_ms;
    struct tracking_cache_t *owner;   /* whose byte count and order of use the entry is in */
    link_t use;                       /* in the owner's by_use */
} entry_t;

/* What one kept view costs besides its text and its id: the entry, zhashx's item and the malloc
 * headers of the four blocks. Counted, so that the capacity bounds the memory the views hold and
 * not only their text (a short view costs more in bookkeeping than in text). */
#define ENTRY_OVERHEAD (sizeof(entry_t) + 64)

struct tracking_cache_t {
    pthread_mutex_t lock;
    zhashx_t *entries;       /* tracking id -> entry_t */
    link_list_t by_use;      /* kept or answered, most recently first: past the capacity the last go */
    size_t capacity, bytes;  /* of the views kept */
    uint64_t evicted;        /* views dropped for room */
    int64_t max_age_ms;
    uint64_t everything;     /* forgets of every view */
    uint64_t stripes[STRIPES];   /* forgets of one view, by stripe: a put from before one keeps nothing */
    int64_t live_until_ms;       /* 0: off */
};

static void entry_free(entry_t *e)
{
    if (e) {
        free(e->id);
        free(e->view);
    }
    free(e);
}

/* The table's destructor: an entry leaves the order and the byte count with it. */
static void drop_entry(void **item)
{
    entry_t *e = *item;
    if (e) {
        link_list_remove(&e->owner->by_use, &e->use);
        e->owner->bytes -= e->size;
    }
    entry_free(e);
    *item = NULL;
}

static uint64_t *stripe_of(tracking_cache_t *self, const char *tracking_id)
{
    uint32_t hash = 2166136261u;   /* FNV-1a */
    for (const unsigned char *c = (const unsigned char *) tracking_id; *c; c++)
        hash = (hash ^ *c) * 16777619u;
    return &self->stripes[hash % STRIPES];
}

/* Both counters only grow, so their sum is unchanged only when neither changed. */
static uint64_t generation_of(tracking_cache_t *self, const char *tracking_id)
{
    return self->everything + *stripe_of(self, tracking_id);
}

/* Either way an answer asked before the change may be older than an event missed meanwhile. */
static void change_liveness(tracking_cache_t *self, int64_t live_until_ms)
{
    if ((self->live_until_ms > 0) != (live_until_ms > 0)) {
        self->everything++;
        zhashx_purge(self->entries);
    }
    self->live_until_ms = live_until_ms;
}

/* Whether the feed's word still holds at now_ms; once it ran out, the cache is off. */
static bool live_at(tracking_cache_t *self, int64_t now_ms)
{
    if (self->live_until_ms > 0 && now_ms >= self->live_until_ms)
        change_liveness(self, 0);
    return self->live_until_ms > 0;
}

tracking_cache_t *tracking_cache_new(size_t capacity, int64_t max_age_ms)
{
    tracking_cache_t *self = capacity > 0 && max_age_ms > 0 ? calloc(1, sizeof *self) : NULL;
    if (!self)
        return NULL;
    if (!(self->entries = zhashx_new()) || pthread_mutex_init(&self->lock, NULL) != 0) {
        zhashx_destroy(&self->entries);
        free(self);
        return NULL;
    }
    /* The key is the entry's own id, freed with the entry. */
    zhashx_set_key_duplicator(self->entries, NULL);
    zhashx_set_key_destructor(self->entries, NULL);
    zhashx_set_destructor(self->entries, drop_entry);
    self->capacity = capacity;
    self->max_age_ms = max_age_ms;
    return self;
}

void tracking_cache_destroy(tracking_cache_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    zhashx_destroy(&(*self_p)->entries);
    pthread_mutex_destroy(&(*self_p)->lock);
    free(*self_p);
    *self_p = NULL;
}

char *tracking_cache_get(tracking_cache_t *self, const char *tracking_id, int64_t now_ms)
{
    char *copy = NULL;
    pthread_mutex_lock(&self->lock);
    entry_t *e = live_at(self, now_ms) ? zhashx_lookup(self->entries, tracking_id) : NULL;
    if (e && now_ms - e->kept_at_ms < self->max_age_ms) {
        copy = strdup(e->view);
        link_list_move_first(&self->by_use, &e->use);
    }
    pthread_mutex_unlock(&self->lock);
    return copy;
}

uint64_t tracking_cache_generation(tracking_cache_t *self, const char *tracking_id)
{
    pthread_mutex_lock(&self->lock);
    uint64_t generation = generation_of(self, tracking_id);
    pthread_mutex_unlock(&self->lock);
    return generation;
}

bool tracking_cache_put(tracking_cache_t *self, const char *tracking_id, const char *view, uint64_t generation,
                        int64_t now_ms)
{
    size_t size = strlen(view) + 1 + strlen(tracking_id) + 1 + ENTRY_OVERHEAD;
    entry_t *e = size <= self->capacity ? calloc(1, sizeof *e) : NULL;
    if (!e || !(e->id = strdup(tracking_id)) || !(e->view = strdup(view))) {
        entry_free(e);
        return false;
    }
    e->kept_at_ms = now_ms;
    e->owner = self;
    pthread_mutex_lock(&self->lock);
    bool keep = live_at(self, now_ms) && generation == generation_of(self, tracking_id);
    if (keep) {
        zhashx_delete(self->entries, tracking_id);
        while (self->by_use.last && self->bytes + size > self->capacity) {
            zhashx_delete(self->entries, LINK_ITEM(self->by_use.last, entry_t, use)->id);
            self->evicted++;
        }
        keep = zhashx_insert(self->entries, e->id, e) == 0;   /* it was deleted just before */
        if (keep) {
            e->size = size;
            self->bytes += size;
            link_list_push_first(&self->by_use, &e->use);
        }
    }
    pthread_mutex_unlock(&self->lock);
    if (!keep)
        entry_free(e);
    return keep;
}

uint64_t tracking_cache_evicted(tracking_cache_t *self)
{
    pthread_mutex_lock(&self->lock);
    uint64_t evicted = self->evicted;
    pthread_mutex_unlock(&self->lock);
    return evicted;
}

void tracking_cache_forget(tracking_cache_t *self, const char *tracking_id)
{
    pthread_mutex_lock(&self->lock);
    if (tracking_id) {
        (*stripe_of(self, tracking_id))++;
        zhashx_delete(self->entries, tracking_id);
    } else {
        self->everything++;
        zhashx_purge(self->entries);
    }
    pthread_mutex_unlock(&self->lock);
}

void tracking_cache_set_live(tracking_cache_t *self, int64_t live_until_ms)
{
    pthread_mutex_lock(&self->lock);
    change_liveness(self, live_until_ms);
    pthread_mutex_unlock(&self->lock);
}
