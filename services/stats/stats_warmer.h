#ifndef ADUAN_STATS_WARMER_H
#define ADUAN_STATS_WARMER_H

#include <stdint.h>

#include "stats_cache.h"

/* Keeps the documents asked for lately fresh: on a thread and database connection of its own it
 * looks at stats_generation a few times a second and, once a run of events (or a survey answer,
 * a changed setting or institution) has moved it, computes again each document of the cache asked
 * within the last `recent_ms`, most recently asked first, so that the next request is a hit
 * instead of a computation over every fact; a document computed less than `min_interval_ms` ago
 * waits for its interval, so a surge (the generation moves with every run of events) recomputes
 * each at most once an interval instead of after every run. After each round it rests nine times
 * as long as the round took (stats_warmer_rest_ms). */
typedef struct stats_warmer_t stats_warmer_t;

/* How long the warmer waits after a round of computations that took `round_ms` before it looks
 * at the generation again: nine times the round, so that it is busy a tenth of the time at most,
 * and a quarter of a second when the round was short or computed nothing. */
int64_t stats_warmer_rest_ms(int64_t round_ms);

/* Records the public dashboard's first-load queries as asked (so they are computed first), connects
 * to `db_url` and starts the thread; `cache` outlives the warmer. Its statements may run
 * statement_timeout_ms but at least 30 s (0 = never). NULL with the reason. */
stats_warmer_t *stats_warmer_start(stats_cache_t *cache, const char *db_url, long statement_timeout_ms,
                                   int64_t recent_ms, int64_t min_interval_ms, char *reason, size_t reason_cap);
/* Stops the thread, cancelling the statement it runs (PQcancel; that document stays asked and is
 * not kept), and frees everything. */
void stats_warmer_stop(stats_warmer_t **self_p);

#endif
