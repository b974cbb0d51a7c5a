#ifndef ADUAN_GATEWAY_LIVE_RING_H
#define ADUAN_GATEWAY_LIVE_RING_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define LIVE_CHAIN_MAX 12

/* What the live stream may tell of an event: codes only, never content, never the reporter. */
typedef struct {
    int64_t seq;
    int64_t at_ms;
    char type[48];
    char report[32];          /* tracking id, "" when none */
    char status[40];          /* "" when the event has none */
    char public_status[40];
    bool confidential;
    bool figures;             /* changes what the public dashboard counts */
    size_t chain_len;         /* the institution the event is about, then its ancestors */
    char chain[LIVE_CHAIN_MAX][33];
    /* the institution that gave the report away in this step (a transfer), then its ancestors:
     * their desks must drop it, so they are told too */
    size_t given_by_len;
    char given_by[LIVE_CHAIN_MAX][33];
} live_event_t;

/* The last `capacity` events of the live feed, by seq, for clients that resume. Not locked: the
 * feed's lock guards it. */
typedef struct live_ring_t live_ring_t;

live_ring_t *live_ring_new(size_t capacity);
void live_ring_destroy(live_ring_t **self_p);
/* Keeps the event in the place of the one `capacity` seqs before it: 0, -1 out of memory (that
 * place is then empty). */
int live_ring_put(live_ring_t *self, const live_event_t *event);
/* The kept event with this seq in *out: true; false when it is not (or no longer) kept. */
bool live_ring_get(const live_ring_t *self, int64_t seq, live_event_t *out);

#endif
