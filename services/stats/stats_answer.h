#ifndef ADUAN_STATS_ANSWER_H
#define ADUAN_STATS_ANSWER_H

#include <stddef.h>

#include "db.h"
#include "error_reply.h"
#include "stats_cache.h"
#include "stats_query_codec.h"

/* The document a stats.query asks for, from the cache when the facts have not moved since it was
 * computed or it is at most `max_age_ms` old (stats_cache.h; 0: only when they have not moved),
 * else computed and kept; its "as_of" says when it was computed (RFC 3339, UTC, milliseconds).
 * Computed: the actor's scope (a member of staff sees their institution's subtree, a national
 * admin everything, nobody signed in the public view; exports of reports are for staff), then the
 * view (stats_views.h). A computed document is kept at the generation read before it.
 * `request` is the body that asked, kept for the warmer. 0 with *json (the caller frees it),
 * 1 refused (*refusal), -1 error. */
int stats_answer(db_t *db, long timeout_ms, stats_cache_t *cache, int64_t max_age_ms, const stats_query_t *q,
                 const void *request, size_t request_size, char **json, error_reply_t *refusal, db_error_t *error);

/* Records `q` as asked without computing it, for the warmer to (stats_cache_ask). 0, -1 out of memory. */
int stats_answer_ask(stats_cache_t *cache, const stats_query_t *q);

/* The current stats_generation; -1 on error. */
int64_t stats_answer_generation(db_t *db, db_error_t *error);

#endif
