#ifndef ADUAN_STAFF_VIEWS_H
#define ADUAN_STAFF_VIEWS_H

#include "db.h"
#include "error_reply.h"
#include "staff_query_codec.h"

/* What staff read, rendered as JSON by PostgreSQL, scoped to the actor's subtree:
 *   desk    — reports waiting for verification or postponed, oldest clock first (admins, analysts);
 *   reports — every report in scope, filtered by status or public bucket and holder subtree,
 *             the nearest running deadline first;
 *   report  — one report: content, pre-checks, duplicates, every action with its actor, all clocks;
 *   reasons — the active reason codes per action, with their labels.
 * A reporter's contact data never appears; the name only when the report is not anonymous.
 * 0 with *json malloc'd; 1 refused (*refusal: forbidden, not_found, invalid); -1 on error. */
/* The list's statement for an order (`sort`: due, newest, oldest, updated; anything else is due)
 * ($1 role, $2 scope, $3 status, $4 holders, $5 limit, $6 offset, $7 view, $8 category,
 * $9 region, $10 text, $11 overdue, $12 duplicates, $13 older than days, $14 mine, $15 actor id,
 * $16 the cursor's position, $17 its basis, $18 what staff_views_word_matches_sql answers for
 * $10, NULL without it), and the report's ($1 role, $2 scope, $3 tracking id), for tests of their plans. The scope and the
 * holders are what staff_views_subtrees_sql answers ($1 role, $2 the actor's institution, $3 the
 * holder filter's): the codes of each subtree as an array; NULL for a national admin's scope and
 * for no holder filter. */
const char *staff_views_list_sql(const char *sort);
extern const char staff_views_report_sql[];
extern const char staff_views_subtrees_sql[];
/* The reports whose text holds $1 (report_search, as verify copies it), at most 1 001 of them, as
 * a bigint[] literal ('{}' for none). */
extern const char staff_views_word_matches_sql[];
/* The statuses the list's counts read for each public bucket, "bucket: 'status', ...; ..." in the
 * order of the buckets and their statuses, for a test that report_statuses maps them alike. */
extern const char staff_views_bucket_statuses[];

int staff_views_render(db_t *db, const staff_query_t *query, char **json, error_reply_t *refusal, db_error_t *error);

#endif
