#ifndef ADUAN_GATEWAY_TRACKING_CACHE_H
#define ADUAN_GATEWAY_TRACKING_CACHE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The public view of reports (GET tracking without a reporter token) as the gateway last sent it,
 * so that a page many citizens follow is answered from the HTTP thread without a round trip to
 * intake. A view changes with a committed step, which the event stream publishes: the gateway's
 * live feed forgets the report's entry for each event about it (everything for an event about no
 * report: a holiday added moves every open clock), and the gateway forgets what a change it
 * forwarded may touch once the change's reply came, before the client hears it. Every change to a
 * view comes with an event (a file added: report.attachment_added); max_age is a safety net.
 *
 * An answer read before a change is never kept after it: put keeps nothing when the report's view
 * (or every view) was forgotten since the generation the caller read before asking intake. Nothing is kept or
 * answered while the feed is not live (the hub silent, or the feed behind the events): its events
 * would be missed or come late. The feed's word holds only until the time it gives, so a feed that
 * stops saying it (its thread stalled) stops the answers too.
 * Thread-safe. */
typedef struct tracking_cache_t tracking_cache_t;

/* capacity: bytes the kept views may cost at most, their text, ids and bookkeeping (past it, the
 * views least recently kept or answered go first); max_age_ms > 0. */
tracking_cache_t *tracking_cache_new(size_t capacity, int64_t max_age_ms);
void tracking_cache_destroy(tracking_cache_t **self_p);

/* A copy (malloc'd) of the view kept for `tracking_id` at most max_age before now_ms, or NULL. */
char *tracking_cache_get(tracking_cache_t *self, const char *tracking_id, int64_t now_ms);
/* Read before asking intake for tracking_id; given back to put with what intake answered. */
uint64_t tracking_cache_generation(tracking_cache_t *self, const char *tracking_id);
/* Keeps a copy of `view` for `tracking_id`, unless since `generation` its view (or one that
 * shares its stripe of ids) or every view was forgotten, or the feed is not live. Whether it was
 * kept. */
bool tracking_cache_put(tracking_cache_t *self, const char *tracking_id, const char *view, uint64_t generation,
                        int64_t now_ms);
/* Views dropped so far to make room for others (past the capacity): a count that keeps growing
 * says the capacity is smaller than the views being read. */
uint64_t tracking_cache_evicted(tracking_cache_t *self);
/* Drops the entry of `tracking_id`; NULL drops every entry. */
void tracking_cache_forget(tracking_cache_t *self, const char *tracking_id);
/* The feed hears the hub and is not behind its events until `live_until_ms` (the clock of get and
 * put), or not (0). Going off, by this call or by the time running out, forgets everything. Starts
 * off. */
void tracking_cache_set_live(tracking_cache_t *self, int64_t live_until_ms);

#endif
