#ifndef ADUAN_STATS_QUERIES_H
#define ADUAN_STATS_QUERIES_H

#include <stddef.h>

#include "curve_keys.h"

/* aduan-stats' query server: stats.query, survey.answer, an admin's survey.codes and the operator's stats.rebuild
 * (stats_query_codec.h) on a command socket, a thread and a database connection of their own, so
 * that a long export never delays the live stream and the stream never delays a query. A query is
 * answered by stats_answer.h (scope, view, and the documents kept until the facts move), kept fresh
 * by a warmer on a thread and connection of its own (stats_warmer.h). */
typedef struct stats_queries_t stats_queries_t;

/* Binds `bind_endpoints` (CURVE with `keys`, which outlive the server; NULL: plain), connects to
 * `db_url` and starts serving on a thread: queries, answers and survey codes from gateway keys,
 * stats.rebuild from admin keys; the statements of a stats.query are cancelled after
 * statement_timeout_ms (0 = never), which answers `unavailable`; a kept document is answered up to
 * max_age_s after it was computed though the facts have moved (0: never), and the warmer computes
 * a kept document again at most once every warm_every_s (at most max_age_s). NULL with the reason
 * when any of it fails. */
stats_queries_t *stats_queries_start(const char *bind_endpoints, curve_keys_t *keys, const char *db_url,
                                     long statement_timeout_ms, long max_age_s, long warm_every_s, char *reason,
                                     size_t reason_cap);
/* Ends the serving (it ends by itself when the service is interrupted), waits for the thread and
 * frees everything. */
void stats_queries_stop(stats_queries_t **self_p);

#endif
