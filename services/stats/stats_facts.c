#include "stats_facts.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "event_log.h"

#define REBUILD_BATCH 1000

/* $1: the run's facts (add_fact below), in log order. Each report starts as the run finds it: its
 * row, or when it has none yet, the row its first submission in the run makes (a later submission
 * changes nothing). The row is read by its key, one index lookup per report: as a join, the plan
 * prepared while the table was small scanned the whole table at every run (22 ms at 7 900
 * reports). Both come from one grouping of the facts by report (old; the first submission's row
 * in stat_reports' column order): the first submissions, picked apart and joined to the reports
 * without a row, were compared with every report of the run (the planner, which cannot count the
 * facts of a kind, expected one submission), 100 x 100 rows a run of 200 facts. The report's
 * other events then count if they come after that (a step before the report has a row finds
 * none) and above its last counted seq (a replay, a second member), folded into one new row as
 * they would change it one after the other: the latest step's status; the
 * latest classification, category and holder a step names; the first step's time of each first
 * decision, dispatch and follow-up (kept when already set); the latest closing's time, cleared by
 * a later reopen; the latest support count; a flag once set stays set. Each changed report is
 * written once, and the run folded into the rollup (stat_rollup_fold: the reports as they were,
 * as they are now, from the write's RETURNING: its rows are not visible to a read in the same
 * statement). */
static const char count_sql[] =
    "WITH e AS ("
    "  SELECT * FROM json_to_recordset($1::json) AS e(n int, tracking_id text, seq bigint, at bigint, kind text, "
    "    type text, institution text, action text, status text, public_status text, classification text, "
    "    category text, region text, channel text, deadline text, supports int)), "
    "old AS MATERIALIZED ("
    "  SELECT k.tracking_id, k.first_n, k.first, (SELECT s FROM stat_reports s WHERE s.tracking_id = k.tracking_id) AS was "
    "  FROM (SELECT e.tracking_id, min(e.n) FILTER (WHERE e.kind = 'submitted') AS first_n, "
    "          (array_agg(ROW(e.tracking_id, e.seq, to_timestamp(e.at / 1000.0), e.classification, e.category, e.region, "
    "             e.channel, NULL, e.status, COALESCE((SELECT public_status FROM report_statuses WHERE status = e.status), "
    "             'not_yet_verified'), false, false, NULL, NULL, NULL, NULL, false, false, false, 0)::stat_reports "
    "           ORDER BY e.n) FILTER (WHERE e.kind = 'submitted'))[1] AS first "
    "        FROM e GROUP BY e.tracking_id) k), "
    "base AS ("
    "  SELECT (b.r).*, b.after_n FROM ("
    "    SELECT COALESCE(o.was, o.first) AS r, CASE WHEN (o.was).tracking_id IS NULL THEN o.first_n ELSE -1 END AS after_n "
    "    FROM old o) b "
    "  WHERE (b.r).tracking_id IS NOT NULL), "
    "folded AS ("
    "  SELECT t.tracking_id, max(t.seq) AS last_seq, "
    "    (array_agg(t.status ORDER BY t.n DESC) FILTER (WHERE t.kind = 'step'))[1] AS status, "
    "    (array_agg(t.public_status ORDER BY t.n DESC) FILTER (WHERE t.kind = 'step'))[1] AS public_status, "
    "    (array_agg(t.classification ORDER BY t.n DESC) "
    "       FILTER (WHERE t.kind = 'step' AND t.classification IS NOT NULL))[1] AS classification, "
    "    (array_agg(t.category ORDER BY t.n DESC) FILTER (WHERE t.kind = 'step' AND t.category IS NOT NULL))[1] "
    "       AS category_code, "
    "    (array_agg(t.institution ORDER BY t.n DESC) FILTER (WHERE t.kind = 'step' AND t.institution IS NOT NULL))[1] "
    "       AS institution_code, "
    "    bool_or(t.kind = 'step' AND t.type = 'report.postponed') AS ever_postponed, "
    "    bool_or(t.kind = 'step' AND t.type = 'report.transferred') AS ever_transferred, "
    "    (array_agg(to_timestamp(t.at / 1000.0) ORDER BY t.n) FILTER (WHERE t.kind = 'step' "
    "       AND t.action IN ('verify', 'not_our_authority', 'archive', 'link_duplicate')))[1] AS verified_at, "
    "    (array_agg(to_timestamp(t.at / 1000.0) ORDER BY t.n) "
    "       FILTER (WHERE t.kind = 'step' AND t.type = 'report.dispatched'))[1] AS dispatched_at, "
    "    (array_agg(to_timestamp(t.at / 1000.0) ORDER BY t.n) "
    "       FILTER (WHERE t.kind = 'step' AND t.type = 'report.followed_up'))[1] AS followed_up_at, "
    "    bool_or(t.kind = 'step' AND t.type IN ('report.closed', 'report.reopened')) AS completion_moved, "
    "    (array_agg(CASE WHEN t.type = 'report.closed' THEN to_timestamp(t.at / 1000.0) END ORDER BY t.n DESC) "
    "       FILTER (WHERE t.kind = 'step' AND t.type IN ('report.closed', 'report.reopened')))[1] AS completed_at, "
    "    (array_agg(t.supports ORDER BY t.n DESC) FILTER (WHERE t.kind = 'supported'))[1] AS supports, "
    "    bool_or(t.kind = 'missed' AND t.deadline IS NOT DISTINCT FROM 'verification') AS verification_missed, "
    "    bool_or(t.kind = 'missed' AND t.deadline IS NOT DISTINCT FROM 'follow_up') AS follow_up_missed, "
    "    bool_or(t.kind = 'missed' AND t.deadline IS NOT DISTINCT FROM 'resolution') AS resolution_missed "
    "  FROM e t JOIN base b ON b.tracking_id = t.tracking_id "
    "  WHERE t.kind <> 'submitted' AND t.n > b.after_n AND t.seq > b.last_seq "
    "  GROUP BY t.tracking_id), "
    "changed AS ("
    "  SELECT b.tracking_id, GREATEST(b.last_seq, f.last_seq) AS last_seq, b.submitted_at, "
    "         COALESCE(f.classification, b.classification) AS classification, "
    "         COALESCE(f.category_code, b.category_code) AS category_code, b.region_code, b.channel, "
    "         COALESCE(f.institution_code, b.institution_code) AS institution_code, "
    "         COALESCE(f.status, b.status) AS status, COALESCE(f.public_status, b.public_status) AS public_status, "
    "         b.ever_postponed OR COALESCE(f.ever_postponed, false) AS ever_postponed, "
    "         b.ever_transferred OR COALESCE(f.ever_transferred, false) AS ever_transferred, "
    "         COALESCE(b.verified_at, f.verified_at) AS verified_at, "
    "         COALESCE(b.dispatched_at, f.dispatched_at) AS dispatched_at, "
    "         COALESCE(b.followed_up_at, f.followed_up_at) AS followed_up_at, "
    "         CASE WHEN f.completion_moved THEN f.completed_at ELSE b.completed_at END AS completed_at, "
    "         b.verification_missed OR COALESCE(f.verification_missed, false) AS verification_missed, "
    "         b.follow_up_missed OR COALESCE(f.follow_up_missed, false) AS follow_up_missed, "
    "         b.resolution_missed OR COALESCE(f.resolution_missed, false) AS resolution_missed, "
    "         COALESCE(f.supports, b.supports) AS supports "
    "  FROM base b LEFT JOIN folded f ON f.tracking_id = b.tracking_id "
    "  WHERE b.after_n >= 0 OR f.tracking_id IS NOT NULL), "
    "written AS ("
    "  INSERT INTO stat_reports AS s (tracking_id, last_seq, submitted_at, classification, category_code, region_code, "
    "    channel, institution_code, status, public_status, ever_postponed, ever_transferred, verified_at, "
    "    dispatched_at, followed_up_at, completed_at, verification_missed, follow_up_missed, resolution_missed, "
    "    supports) "
    "  SELECT * FROM changed ORDER BY tracking_id "
    "  ON CONFLICT (tracking_id) DO UPDATE SET last_seq = excluded.last_seq, classification = excluded.classification, "
    "    category_code = excluded.category_code, institution_code = excluded.institution_code, "
    "    status = excluded.status, public_status = excluded.public_status, ever_postponed = excluded.ever_postponed, "
    "    ever_transferred = excluded.ever_transferred, verified_at = excluded.verified_at, "
    "    dispatched_at = excluded.dispatched_at, followed_up_at = excluded.followed_up_at, "
    "    completed_at = excluded.completed_at, verification_missed = excluded.verification_missed, "
    "    follow_up_missed = excluded.follow_up_missed, resolution_missed = excluded.resolution_missed, "
    "    supports = excluded.supports "
    "  RETURNING s) "
    "SELECT stat_rollup_fold(ARRAY(SELECT o.was FROM old o WHERE o.tracking_id IN (SELECT tracking_id FROM changed) "
    "                                AND (o.was).tracking_id IS NOT NULL), "
    "                        ARRAY(SELECT w.s FROM written w))";

static const char *text_of(json_t *payload, const char *key)
{
    json_t *value = json_object_get(payload, key);
    return json_is_string(value) ? json_string_value(value) : NULL;
}

/* How an event changes its report's row (count_sql's kind), NULL when it does not. */
static const char *kind_of(const event_t *e, json_t *payload)
{
    if (strcmp(e->type, EVENT_REPORT_SUBMITTED) == 0)
        return "submitted";
    if (strcmp(e->type, EVENT_REPORT_SUPPORTED) == 0)
        return "supported";
    if (strcmp(e->type, EVENT_DEADLINE_MISSED) == 0)
        return "missed";
    if (text_of(payload, "status") && text_of(payload, "public_status") && text_of(payload, "action"))
        return "step";
    return NULL;   /* not a step of the report's life (e.g. report.closing_soon) */
}

/* The event as an element of count_sql's $1, appended to facts; nothing when it changes no
 * report's numbers. 0, or -1. */
static int add_fact(json_t *facts, const event_t *e, json_t *payload)
{
    const char *kind = kind_of(e, payload);
    if (!kind)
        return 0;
    json_t *count = json_object_get(payload, "supports");
    json_t *fact = json_pack("{s:I, s:s, s:I, s:I, s:s, s:s, s:s?, s:I}", "n", (json_int_t) json_array_size(facts),
                             "tracking_id", e->tracking_id, "seq", (json_int_t) e->seq, "at",
                             (json_int_t) e->occurred_at_ms, "kind", kind, "type", e->type, "institution",
                             e->institution, "supports", json_is_integer(count) ? json_integer_value(count) : 0);
    static const char *const texts[] = {"action", "status", "public_status", "classification", "category",
                                        "region", "channel", "deadline"};
    int rc = fact ? 0 : -1;
    for (size_t i = 0; rc == 0 && i < sizeof texts / sizeof texts[0]; i++)
        if (text_of(payload, texts[i]))
            rc = json_object_set(fact, texts[i], json_object_get(payload, texts[i]));
    if (rc != 0) {
        json_decref(fact);
        return -1;
    }
    return json_array_append_new(facts, fact);
}

/* What the events say about their reports, in their order: count_sql's $1. NULL with the error. */
static json_t *facts_of(const event_t *events, size_t count, db_error_t *error)
{
    json_t *facts = json_array();
    for (size_t i = 0; facts && i < count; i++) {
        const event_t *e = &events[i];
        if (!e->tracking_id || strncmp(e->type, "report.", 7) != 0)
            continue;
        json_t *doc = event_to_json(e);
        int rc = doc ? add_fact(facts, e, json_object_get(doc, "payload")) : -1;
        json_decref(doc);
        if (rc != 0) {
            snprintf(error->message, sizeof error->message, "event %s cannot be read", e->id);
            json_decref(facts);
            return NULL;
        }
    }
    if (!facts)
        snprintf(error->message, sizeof error->message, "out of memory");
    return facts;
}

int stats_facts_count(db_t *db, const event_t *events, size_t count, db_error_t *error)
{
    json_t *facts = facts_of(events, count, error);
    if (!facts)
        return -1;
    size_t counted = json_array_size(facts);
    char *text = counted > 0 ? json_dumps(facts, JSON_COMPACT) : NULL;
    json_decref(facts);
    if (counted == 0)
        return 0;   /* none of the events changes a report's numbers: no statement */
    if (!text) {
        snprintf(error->message, sizeof error->message, "out of memory");
        return -1;
    }
    const char *params[] = {text};
    int rc = db_exec_ok(db, count_sql, 1, params, error);
    free(text);
    return rc;
}

int64_t stats_facts_rebuild(db_t *db, db_error_t *error)
{
    const char *group[] = {STATS_GROUP};
    if (db_exec_ok(db, "SELECT 1 FROM consumer_positions WHERE group_name = $1 FOR UPDATE", 1, group, error) != 0
        || db_exec_ok(db, "DELETE FROM stat_reports", 0, NULL, error) != 0)
        return -1;
    int64_t after = 0, read = 0;
    for (;;) {
        event_batch_t batch = {0};
        if (event_log_read(db, after, "report.", REBUILD_BATCH, &batch, error) != 0)
            return -1;
        int rc = stats_facts_count(db, batch.items, batch.count, error);
        if (batch.count > 0)
            after = batch.items[batch.count - 1].seq;
        size_t count = batch.count;
        event_batch_clear(&batch);
        if (rc != 0)
            return -1;
        read += (int64_t) count;
        if (count < REBUILD_BATCH)
            break;
    }
    char head[24];
    snprintf(head, sizeof head, "%lld", (long long) after);
    const char *params[] = {STATS_GROUP, head};
    if (db_exec_ok(db, "UPDATE consumer_positions SET seq = GREATEST(seq, $2::bigint) WHERE group_name = $1",
                   2, params, error) != 0
        || db_exec_ok(db, "SELECT stat_rollup_recount()", 0, NULL, error) != 0)
        return -1;
    return read;
}
