#include "stats_facts.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "event_log.h"

#define REBUILD_BATCH 1000

static const char submitted_sql[] =
    "INSERT INTO stat_reports (tracking_id, last_seq, submitted_at, classification, category_code, region_code, "
    "  channel, status, public_status) "
    "SELECT $1, $2::bigint, to_timestamp($3::bigint / 1000.0), $4, $5, $6, $7, $8, "
    "       COALESCE((SELECT public_status FROM report_statuses WHERE status = $8), 'not_yet_verified') "
    "ON CONFLICT (tracking_id) DO NOTHING";

/* A step of the report's life: $1 tracking id, $2 seq, $3 at (ms), $4 type, $5 action, $6 status,
 * $7 public status, $8 classification, $9 category, $10 institution named by the event. */
static const char transition_sql[] =
    "UPDATE stat_reports SET last_seq = $2::bigint, status = $6, public_status = $7, "
    "  classification = COALESCE($8, classification), category_code = COALESCE($9, category_code), "
    "  institution_code = COALESCE($10, institution_code), "
    "  ever_postponed = ever_postponed OR $4 = 'report.postponed', "
    "  ever_transferred = ever_transferred OR $4 = 'report.transferred', "
    "  verified_at = COALESCE(verified_at, CASE WHEN $5 IN ('verify', 'not_our_authority', 'archive', 'link_duplicate') "
    "                                           THEN to_timestamp($3::bigint / 1000.0) END), "
    "  dispatched_at = COALESCE(dispatched_at, CASE WHEN $4 = 'report.dispatched' "
    "                                          THEN to_timestamp($3::bigint / 1000.0) END), "
    "  followed_up_at = COALESCE(followed_up_at, CASE WHEN $4 = 'report.followed_up' "
    "                                            THEN to_timestamp($3::bigint / 1000.0) END), "
    "  completed_at = CASE WHEN $4 = 'report.closed' THEN to_timestamp($3::bigint / 1000.0) "
    "                      WHEN $4 = 'report.reopened' THEN NULL ELSE completed_at END "
    "WHERE tracking_id = $1 AND last_seq < $2::bigint";

/* $1 tracking id, $2 seq, $3 the report's count of supporters after this one. */
static const char supported_sql[] =
    "UPDATE stat_reports SET last_seq = $2::bigint, supports = $3::int "
    "WHERE tracking_id = $1 AND last_seq < $2::bigint";

/* $1 tracking id, $2 seq, $3 the clock that ran out. */
static const char missed_sql[] =
    "UPDATE stat_reports SET last_seq = $2::bigint, "
    "  verification_missed = verification_missed OR $3 = 'verification', "
    "  follow_up_missed = follow_up_missed OR $3 = 'follow_up', "
    "  resolution_missed = resolution_missed OR $3 = 'resolution' "
    "WHERE tracking_id = $1 AND last_seq < $2::bigint";

static const char *text_of(json_t *payload, const char *key)
{
    json_t *value = json_object_get(payload, key);
    return json_is_string(value) ? json_string_value(value) : NULL;
}

static int apply_payload(db_t *db, const event_t *e, json_t *payload, db_error_t *error)
{
    char seq[24], at[24];
    snprintf(seq, sizeof seq, "%lld", (long long) e->seq);
    snprintf(at, sizeof at, "%lld", (long long) e->occurred_at_ms);
    if (strcmp(e->type, EVENT_REPORT_SUBMITTED) == 0) {
        const char *params[] = {e->tracking_id, seq, at, text_of(payload, "classification"),
                                text_of(payload, "category"), text_of(payload, "region"),
                                text_of(payload, "channel"), text_of(payload, "status")};
        return db_exec_ok(db, submitted_sql, 8, params, error);
    }
    if (strcmp(e->type, EVENT_REPORT_SUPPORTED) == 0) {
        json_t *count = json_object_get(payload, "supports");
        char supports[24];
        snprintf(supports, sizeof supports, "%lld", json_is_integer(count) ? (long long) json_integer_value(count) : 0LL);
        const char *params[] = {e->tracking_id, seq, supports};
        return db_exec_ok(db, supported_sql, 3, params, error);
    }
    if (strcmp(e->type, "report.deadline_missed") == 0) {
        const char *params[] = {e->tracking_id, seq, text_of(payload, "deadline")};
        return db_exec_ok(db, missed_sql, 3, params, error);
    }
    const char *status = text_of(payload, "status"), *public_status = text_of(payload, "public_status");
    if (!status || !public_status || !text_of(payload, "action"))
        return 0;   /* not a step of the report's life (e.g. report.closing_soon) */
    const char *params[] = {e->tracking_id, seq, at, e->type, text_of(payload, "action"), status, public_status,
                            text_of(payload, "classification"), text_of(payload, "category"), e->institution};
    return db_exec_ok(db, transition_sql, 10, params, error);
}

int stats_facts_apply(db_t *db, const event_t *event, db_error_t *error)
{
    if (!event->tracking_id || strncmp(event->type, "report.", 7) != 0)
        return 0;
    json_t *doc = event_to_json(event);
    if (!doc) {
        snprintf(error->message, sizeof error->message, "event %s cannot be read", event->id);
        return -1;
    }
    int rc = apply_payload(db, event, json_object_get(doc, "payload"), error);
    json_decref(doc);
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
        int rc = 0;
        for (size_t i = 0; rc == 0 && i < batch.count; i++) {
            rc = stats_facts_apply(db, &batch.items[i], error);
            after = batch.items[i].seq;
        }
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
