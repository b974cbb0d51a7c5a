#include "prechecks.h"

#include <stdio.h>

/* The duplicate candidates are the 5 nearest in trigram distance (`<->` is 1 - similarity) among
 * the reports of the same region, category and window, found by a KNN scan of reports_similar
 * that stops at 5; those below the threshold are dropped after. So the work is bounded by that
 * window, whatever the size of the table, and the answer is the one the threshold asks for. */
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
    "          SELECT o.id, o.tracking_id, similarity(o.title || ' ' || o.body, r.title || ' ' || r.body) AS alike "
    "          FROM reports o "
    "          WHERE o.region_code = r.region_code AND o.category_code = r.category_code AND o.id <> r.id "
    "            AND o.submitted_at <= r.submitted_at "
    "            AND o.submitted_at >= r.submitted_at - make_interval(days => s.window_days::int) "
    "          ORDER BY (o.title || ' ' || o.body) <-> (r.title || ' ' || r.body) LIMIT 5) n "
    "        WHERE n.alike >= s.similar ORDER BY n.alike DESC, n.id), "
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
