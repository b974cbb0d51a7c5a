#include "stats_cache.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <czmq.h>

#include "link_list.h"

typedef struct entry_t {
    char *key;
    char *json;
    size_t json_size;
    void *request;
    size_t request_size;
    int64_t generation;
    int64_t computed_ms;
    int64_t offered;        /* the generation the warmer was last given it at */
    int64_t asked_ms;
    link_t asked;          /* in by_asked */
} entry_t;

struct stats_cache_t {
    pthread_mutex_t lock;
    link_list_t by_asked;   /* most recently asked first */
    size_t count, bytes, max_entries, max_bytes;
};

stats_cache_t *stats_cache_new(size_t max_entries, size_t max_bytes)
{
    stats_cache_t *self = calloc(1, sizeof *self);
    if (!self)
        return NULL;
    if (pthread_mutex_init(&self->lock, NULL) != 0) {
        free(self);
        return NULL;
    }
    self->max_entries = max_entries;
    self->max_bytes = max_bytes;
    return self;
}

static entry_t *entry_of(link_t *link)
{
    return link ? LINK_ITEM(link, entry_t, asked) : NULL;
}

static void entry_free(entry_t *e)
{
    free(e->key);
    free(e->json);
    free(e->request);
    free(e);
}

static void drop(stats_cache_t *self, entry_t *e)
{
    link_list_remove(&self->by_asked, &e->asked);
    self->count--;
    self->bytes -= e->json_size + e->request_size;
    entry_free(e);
}

void stats_cache_destroy(stats_cache_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    stats_cache_t *self = *self_p;
    while (self->by_asked.first)
        drop(self, entry_of(self->by_asked.first));
    pthread_mutex_destroy(&self->lock);
    free(self);
    *self_p = NULL;
}

/* Puts `fresh` first and drops the least recently asked beyond the bounds; the lock is held. */
static void insert(stats_cache_t *self, entry_t *fresh)
{
    link_list_push_first(&self->by_asked, &fresh->asked);
    self->count++;
    self->bytes += fresh->json_size + fresh->request_size;
    while (self->by_asked.last != &fresh->asked && (self->count > self->max_entries || self->bytes > self->max_bytes))
        drop(self, entry_of(self->by_asked.last));
}

static entry_t *find(stats_cache_t *self, const char *key)
{
    for (entry_t *e = entry_of(self->by_asked.first); e; e = entry_of(e->asked.next))
        if (strcmp(e->key, key) == 0)
            return e;
    return NULL;
}

/* Whether the document of `e` may answer at `generation`. */
static bool servable(const entry_t *e, int64_t generation, int64_t now_ms, int64_t max_age_ms)
{
    if (e->generation == generation)
        return true;
    return max_age_ms > 0 && e->generation < generation && now_ms - e->computed_ms <= max_age_ms;
}

char *stats_cache_get(stats_cache_t *self, const char *key, int64_t generation, int64_t now_ms, int64_t max_age_ms,
                      int64_t *computed_ms)
{
    pthread_mutex_lock(&self->lock);
    entry_t *e = find(self, key);
    char *copy = NULL;
    if (e && e->json && servable(e, generation, now_ms, max_age_ms) && (copy = strdup(e->json))) {
        *computed_ms = e->computed_ms;
        e->asked_ms = zclock_mono();
        link_list_move_first(&self->by_asked, &e->asked);
    }
    pthread_mutex_unlock(&self->lock);
    return copy;
}

static entry_t *entry_new(const char *key, int64_t generation, int64_t computed_ms, const char *json,
                          const void *request, size_t request_size)
{
    entry_t *e = calloc(1, sizeof *e);
    if (!e)
        return NULL;
    e->key = strdup(key);
    e->json = json ? strdup(json) : NULL;
    e->json_size = json ? strlen(json) + 1 : 0;
    e->request = malloc(request_size ? request_size : 1);
    if (!e->key || (json && !e->json) || !e->request) {
        entry_free(e);
        return NULL;
    }
    memcpy(e->request, request, request_size);
    e->request_size = request_size;
    e->generation = e->offered = generation;
    e->computed_ms = computed_ms;
    return e;
}

int stats_cache_put(stats_cache_t *self, const char *key, int64_t generation, int64_t computed_ms, const char *json,
                    const void *request, size_t request_size)
{
    if (strlen(json) + request_size > self->max_bytes / 4)
        return 0;
    entry_t *fresh = entry_new(key, generation, computed_ms, json, request, request_size);
    if (!fresh)
        return -1;
    pthread_mutex_lock(&self->lock);
    entry_t *old = find(self, key);
    /* a warmer and a query may both compute a key: the later generation stays */
    if (old && old->generation > generation) {
        pthread_mutex_unlock(&self->lock);
        entry_free(fresh);
        return 0;
    }
    fresh->asked_ms = old ? old->asked_ms : zclock_mono();
    if (old)
        drop(self, old);
    insert(self, fresh);
    pthread_mutex_unlock(&self->lock);
    return 0;
}

int stats_cache_ask(stats_cache_t *self, const char *key, const void *request, size_t request_size)
{
    /* generation -1: older than any, never served, offered to the warmer at once */
    entry_t *asked = entry_new(key, -1, 0, NULL, request, request_size);
    if (!asked)
        return -1;
    asked->asked_ms = zclock_mono();
    pthread_mutex_lock(&self->lock);
    entry_t *e = find(self, key);
    if (e) {
        e->asked_ms = asked->asked_ms;
        link_list_move_first(&self->by_asked, &e->asked);
        entry_free(asked);
    } else
        insert(self, asked);
    pthread_mutex_unlock(&self->lock);
    return 0;
}

void *stats_cache_next_stale(stats_cache_t *self, int64_t generation, int64_t now_ms, int64_t recent_ms,
                             int64_t computed_by_ms, size_t *size)
{
    pthread_mutex_lock(&self->lock);
    void *copy = NULL;
    for (entry_t *e = entry_of(self->by_asked.first); e && !copy; e = entry_of(e->asked.next)) {
        if (e->generation >= generation || e->offered >= generation || now_ms - e->asked_ms > recent_ms
            || (e->json && e->computed_ms > computed_by_ms))
            continue;
        e->offered = generation;
        copy = malloc(e->request_size ? e->request_size : 1);
        if (copy) {
            memcpy(copy, e->request, e->request_size);
            *size = e->request_size;
        }
    }
    pthread_mutex_unlock(&self->lock);
    return copy;
}
