#include "prechecks.h"

#include <stdio.h>

/* The duplicate candidates are the latest PRECHECK_CANDIDATES reports of the same region and
 * category within the window (reports_region_category, newest first), of which the 5 most alike
 * at or above the threshold are kept. A surge of thousands of near-identical reports made a
 * nearest-neighbour scan visit every one of them (its trigram bounds cannot separate texts that
 * are all alike): the cost grew with the surge. A bounded set keeps it flat; a duplicate older
 * than that many reports of one place and category is left to the verifier's search. */
#define PRECHECK_CANDIDATES "50"

const char prechecks_record_sql[] =
    "WITH settings AS ("
    "    SELECT COALESCE(max(value) FILTER (WHERE key = 'complete_body_min_chars'), 0) AS body_min, "
    "           COALESCE(max(value) FILTER (WHERE key = 'duplicate_similarity'), 1) AS similar, "
    "           COALESCE(max(value) FILTER (WHERE key = 'duplicate_window_days'), 0) AS window_days "
    "    FROM lifecycle_settings) "
    "INSERT INTO report_prechecks (report_id, missing, abuse_words, possible_duplicates, checked_at) "
    "SELECT r.id, "
    "  array_remove(ARRAY["
    "    CASE WHEN char_length(r.body) < s.body_min THEN 'body' END, "
    "    CASE WHEN r.incident_date IS NULL THEN 'incident_date' END, "
    "    CASE WHEN r.address IS NULL AND r.lat IS NULL THEN 'location' END, "
    "    CASE WHEN NOT r.anonymous AND r.reporter_email IS NULL AND r.reporter_phone IS NULL THEN 'contact' END"
    "  ], NULL), "
    "  ARRAY(SELECT w.word FROM abuse_words w "
    "        WHERE w.word = ANY (regexp_split_to_array(lower(r.title || ' ' || r.body), '[^[:alnum:]]+')) "
    "        ORDER BY w.word), "
    "  ARRAY(SELECT n.tracking_id FROM ("
    "          SELECT c.id, c.tracking_id, similarity(c.title || ' ' || c.body, r.title || ' ' || r.body) AS alike "
    "          FROM (SELECT o.id, o.tracking_id, o.title, o.body FROM reports o "
    "                WHERE o.region_code = r.region_code AND o.category_code = r.category_code AND o.id <> r.id "
    "                  AND o.submitted_at <= r.submitted_at "
    "                  AND o.submitted_at >= r.submitted_at - make_interval(days => s.window_days::int) "
    "                ORDER BY o.submitted_at DESC LIMIT " PRECHECK_CANDIDATES ") c) n "
    "        WHERE n.alike >= s.similar ORDER BY n.alike DESC, n.id LIMIT 5), "
    "  to_timestamp($2::bigint / 1000.0) "
    "FROM reports r CROSS JOIN settings s WHERE r.tracking_id = $1 "
    "ON CONFLICT (report_id) DO NOTHING";

int prechecks_record(db_t *db, const char *tracking_id, int64_t now_ms, db_error_t *error)
{
    char now[24];
    snprintf(now, sizeof now, "%lld", (long long) now_ms);
    const char *params[] = {tracking_id, now};
    return db_exec_ok(db, prechecks_record_sql, 2, params, error);
}
