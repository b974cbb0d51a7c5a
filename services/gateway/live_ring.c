#include "live_ring.h"

#include <stdlib.h>
#include <string.h>

/* An event as kept: its texts one after another, each ended by its NUL, in the order
 * type, report, status, public_status, the chain, the given_by chain. A live_event_t has room for
 * two chains of twelve ids (about 1 000 bytes) where most events name one to a few ids: kept as
 * such, a backlog of 4 096 held 4 MB however short its events were. */
typedef struct {
    int64_t seq;
    int64_t at_ms;
    bool confidential, figures;
    unsigned char chain_len, given_by_len;
    char text[];
} packed_event_t;

struct live_ring_t {
    size_t capacity;
    packed_event_t **slots;
};

live_ring_t *live_ring_new(size_t capacity)
{
    live_ring_t *self = calloc(1, sizeof *self);
    if (!self)
        return NULL;
    self->capacity = capacity;
    if (!(self->slots = calloc(capacity, sizeof *self->slots)))
        live_ring_destroy(&self);
    return self;
}

void live_ring_destroy(live_ring_t **self_p)
{
    live_ring_t *self = *self_p;
    if (self && self->slots)
        for (size_t i = 0; i < self->capacity; i++)
            free(self->slots[i]);
    if (self)
        free(self->slots);
    free(self);
    *self_p = NULL;
}

/* Where each text of `e` is, in the packed order; returns how many. */
static size_t texts_of(const live_event_t *e, const char *texts[4 + 2 * LIVE_CHAIN_MAX])
{
    size_t n = 0;
    texts[n++] = e->type;
    texts[n++] = e->report;
    texts[n++] = e->status;
    texts[n++] = e->public_status;
    for (size_t i = 0; i < e->chain_len; i++)
        texts[n++] = e->chain[i];
    for (size_t i = 0; i < e->given_by_len; i++)
        texts[n++] = e->given_by[i];
    return n;
}

static packed_event_t *pack(const live_event_t *e)
{
    const char *texts[4 + 2 * LIVE_CHAIN_MAX];
    size_t n = texts_of(e, texts), lengths[4 + 2 * LIVE_CHAIN_MAX], size = 0;
    for (size_t i = 0; i < n; i++)
        size += (lengths[i] = strlen(texts[i]) + 1);
    packed_event_t *p = malloc(sizeof *p + size);
    if (!p)
        return NULL;
    *p = (packed_event_t) {e->seq, e->at_ms, e->confidential, e->figures, (unsigned char) e->chain_len,
                           (unsigned char) e->given_by_len};
    char *at = p->text;
    for (size_t i = 0; i < n; i++) {
        memcpy(at, texts[i], lengths[i]);
        at += lengths[i];
    }
    return p;
}

/* Copies the next packed text into `to` and returns the one after it. */
static const char *unpack_text(const char *from, char *to, size_t cap)
{
    size_t len = strlen(from);
    memcpy(to, from, len < cap ? len + 1 : cap);
    to[cap - 1] = '\0';
    return from + len + 1;
}

static void unpack(const packed_event_t *p, live_event_t *e)
{
    memset(e, 0, sizeof *e);
    e->seq = p->seq;
    e->at_ms = p->at_ms;
    e->confidential = p->confidential;
    e->figures = p->figures;
    e->chain_len = p->chain_len;
    e->given_by_len = p->given_by_len;
    const char *at = unpack_text(p->text, e->type, sizeof e->type);
    at = unpack_text(at, e->report, sizeof e->report);
    at = unpack_text(at, e->status, sizeof e->status);
    at = unpack_text(at, e->public_status, sizeof e->public_status);
    for (size_t i = 0; i < e->chain_len; i++)
        at = unpack_text(at, e->chain[i], sizeof e->chain[i]);
    for (size_t i = 0; i < e->given_by_len; i++)
        at = unpack_text(at, e->given_by[i], sizeof e->given_by[i]);
}

int live_ring_put(live_ring_t *self, const live_event_t *event)
{
    packed_event_t **slot = &self->slots[(size_t) event->seq % self->capacity];
    free(*slot);
    *slot = pack(event);
    return *slot ? 0 : -1;
}

bool live_ring_get(const live_ring_t *self, int64_t seq, live_event_t *out)
{
    const packed_event_t *p = self->slots[(size_t) seq % self->capacity];
    if (!p || p->seq != seq)
        return false;
    unpack(p, out);
    return true;
}
