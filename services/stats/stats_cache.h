#ifndef ADUAN_STATS_CACHE_H
#define ADUAN_STATS_CACHE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The documents aduan-stats answered, each kept with the stats_generation (migration 0032) it was
 * computed at and the time it was: served again at that generation, so that an answer from the
 * cache is the one a computation from the facts would give, or at a later one while it is at most
 * the caller's max age old (stale-while-revalidate). The request that asked for it is kept too,
 * for the warmer (stats_warmer.h) to compute it again once the facts have moved. Bounded in entries and
 * bytes, the least recently asked going first. Shared by the query thread and the warmer: every
 * call locks. */
typedef struct stats_cache_t stats_cache_t;

stats_cache_t *stats_cache_new(size_t max_entries, size_t max_bytes);
void stats_cache_destroy(stats_cache_t **self_p);

/* A copy of the document of `key` (the caller frees it) computed at `generation`, or at an older
 * one when `max_age_ms` > 0 and it was computed at most that long before `now_ms`; NULL when there
 * is none. *computed_ms is when it was computed (the clock of now_ms). A hit counts as asked now. */
char *stats_cache_get(stats_cache_t *self, const char *key, int64_t generation, int64_t now_ms, int64_t max_age_ms,
                      int64_t *computed_ms);

/* Keeps a copy of `json`, computed at `generation` at `computed_ms`, and of the request body that asked for it,
 * replacing an older one of the key. A document of more than a quarter of max_bytes is not kept.
 * 0, or -1 out of memory. */
int stats_cache_put(stats_cache_t *self, const char *key, int64_t generation, int64_t computed_ms, const char *json,
                    const void *request, size_t request_size);

/* Records that `key` was asked by `request` though it has no document (a fresh service's default,
 * a computation that failed or ran out of time), for the warmer to compute it; an entry of the key
 * counts as asked now. 0, or -1 out of memory. */
int stats_cache_ask(stats_cache_t *self, const char *key, const void *request, size_t request_size);

/* The request of a kept document older than `generation` (or of one asked without a document), asked within the last `recent_ms`
 * (by `now_ms`), most recently asked first, and not yet offered at this generation; a document
 * computed after `computed_by_ms` (the clock of computed_ms) waits, so that with now less an
 * interval a surge, which moves the generation with every run of events, has each document
 * computed again at most once an interval. A copy the caller frees, NULL when none is due. */
void *stats_cache_next_stale(stats_cache_t *self, int64_t generation, int64_t now_ms, int64_t recent_ms,
                             int64_t computed_by_ms, size_t *size);

#endif
