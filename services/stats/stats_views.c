#include "stats_views.h"

#include <jansson.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The filter but for dates, on reports or groups `s`: $3 institution subtree (the root selects every
 * report, also those not yet routed), $4 region (and inside), $5 category (and its children), $6
 * classification, $7 channel. */
#define SELECTED \
    "($3::text IS NULL OR s.institution_code IN (SELECT code FROM institution_ancestors WHERE ancestor = $3) " \
    "  OR EXISTS (SELECT 1 FROM institutions r WHERE r.code = $3 AND r.parent_code IS NULL)) " \
    "AND ($4::text IS NULL OR s.region_code = $4 OR starts_with(s.region_code, $4 || '.')) " \
    "AND ($5::text IS NULL OR s.category_code IN (SELECT code FROM categories WHERE code = $5 OR parent_code = $5)) " \
    "AND ($6::text IS NULL OR s.classification = $6) AND ($7::text IS NULL OR s.channel = $7)"
/* $1 from, $2 to: Jakarta dates of submission, inclusive (Jakarta keeps no summer time, so a day is
 * the same 24 hours of UTC every year). */
#define SUBMITTED_WITHIN \
    "($1::date IS NULL OR s.submitted_at >= $1::date::timestamp AT TIME ZONE 'Asia/Jakarta') " \
    "AND ($2::date IS NULL OR s.submitted_at < ($2::date + 1)::timestamp AT TIME ZONE 'Asia/Jakarta')"
/* MATERIALIZED: read once. Inlined, as PostgreSQL does a CTE used once, each use of min_count (22 in
 * the summary) became a subquery of its own to plan and to run. */
#define MIN_COUNT "m AS MATERIALIZED (SELECT COALESCE((SELECT value FROM stats_settings WHERE key = 'public_min_count'), 5) AS min_count)"

/* The reports the filter selects (the export). */
#define FILTERED "f AS (SELECT s.* FROM stat_reports s WHERE " SUBMITTED_WITHIN " AND " SELECTED "), " MIN_COUNT

/* The first day of the first Jakarta month wholly inside from..to, and of the first month past
 * the last one wholly inside (NULL without the date): plain expressions of the parameters, so the
 * planner sees the bounds (each partial month one range of the submission index; no reading of
 * stat_reports at all without dates). */
#define FIRST_WHOLE "(date_trunc('month', ($1::date - 1)::timestamp) + interval '1 month')"
#define PAST_WHOLE "date_trunc('month', ($2::date + 1)::timestamp)"
/* The reports of the months only partly inside from..to (all in range when grouping by day, $12):
 * read from stat_reports (its submission index). */
#define PARTIAL \
    "ARRAY(SELECT s FROM stat_reports s WHERE " SELECTED " AND (" \
    "    ($12 AND " SUBMITTED_WITHIN ") " \
    "    OR (" SUBMITTED_WITHIN " AND s.submitted_at < " FIRST_WHOLE " AT TIME ZONE 'Asia/Jakarta') " \
    "    OR (" SUBMITTED_WITHIN " AND s.submitted_at >= " PAST_WHOLE " AT TIME ZONE 'Asia/Jakarta')))"
#define WHOLE_MONTHS \
    "NOT $12 AND ($1::date IS NULL OR s.month >= " FIRST_WHOLE ") AND ($2::date IS NULL OR s.month < " PAST_WHOLE ") " \
    "AND " SELECTED
#define ANY_PARTIAL "($12 OR $1::date IS NOT NULL OR $2::date IS NOT NULL)"
/* The selection as groups of the rollup (0037): f the counts (stat_rollup), ft the times
 * (stat_rollup_times) of the Jakarta months wholly inside from..to, and of the days of the months
 * only partly inside from stat_reports, so the cost follows the groups; $12 (grouping by day) takes
 * every report from stat_reports, one group per day. Column `month` is the group's day then. */
#define GROUPED \
    "f AS (SELECT s.* FROM stat_rollup s WHERE " WHOLE_MONTHS " " \
    "      UNION ALL SELECT g.* FROM stat_group('{}', " PARTIAL ", $12) g WHERE " ANY_PARTIAL "), " \
    "ft AS (SELECT s.* FROM stat_rollup_times s WHERE " WHOLE_MONTHS " " \
    "       UNION ALL SELECT g.* FROM stat_times('{}', " PARTIAL ", $12) g WHERE " ANY_PARTIAL "), " \
    MIN_COUNT
/* GROUPED without dates and not by day ($1, $2 NULL, $12 false): the rollup's rows alone. The days'
 * branches are then empty, but PostgreSQL parses and inlines stat_group and stat_times at every
 * planning before it finds that out: half the planning of the dashboard's first calls, which the
 * warmer plans again whenever the facts have moved. */
#define WHOLE_ONLY \
    "f AS (SELECT s.* FROM stat_rollup s WHERE " WHOLE_MONTHS "), " \
    "ft AS (SELECT s.* FROM stat_rollup_times s WHERE " WHOLE_MONTHS "), " MIN_COUNT

/* The times of each group key of gt (ft with the view's keys), as times_percentile (0037) takes
 * them: k 1 submission to verification, 2 dispatch to follow-up, 3 submission to completion. */
#define TIMES \
    "t AS (SELECT u.key, u.k, array_agg(u.v ORDER BY u.v) AS vals, array_agg(u.n ORDER BY u.v) AS counts " \
    "      FROM (SELECT gt.key, gt.measure AS k, gt.seconds AS v, sum(gt.n) AS n FROM gt GROUP BY 1, 2, 3) u " \
    "      GROUP BY 1, 2)"
/* percentile_cont(p) of the key's times, rounded to whole seconds */
#define TIME_OF(k, p) \
    "(SELECT round(times_percentile(t.vals, t.counts, " p "))::bigint FROM t WHERE t.key = g.key AND t.k = " k ")"

/* Public view: a group of fewer reports than the public minimum shows no figures at all (a count
 * of 2 out of 273 points at nobody; 2 out of 3 may). */
#define SHOWN(expr) "CASE WHEN $11 AND sum(g.received) < min(m.min_count) THEN NULL ELSE " expr " END"
#define SUM(column) SHOWN("sum(g." column ")")
#define DURATION(k) \
    "json_build_object('median', " SHOWN(TIME_OF(k, "0.5")) ", 'p90', " SHOWN(TIME_OF(k, "0.9")) ")"

#define MEASURES \
    "'received', stat_count(sum(g.received), $11, min(m.min_count)), " \
    "'not_yet_verified', " SUM("not_yet_verified") ", 'not_yet_followed_up', " SUM("not_yet_followed_up") ", " \
    "'in_process', " SUM("in_process") ", 'completed', " SUM("completed") ", " \
    "'postponed', " SUM("postponed") ", 'archived', " SUM("archived") ", 'transferred', " SUM("transferred") ", " \
    "'ever_postponed', " SUM("ever_postponed") ", 'ever_transferred', " SUM("ever_transferred") ", " \
    "'supports', " SUM("supports") ", " \
    "'completion_rate', " SHOWN("round(100.0 * sum(g.completed) / sum(g.received), 2)") ", " \
    "'seconds_to_verification', " DURATION("1") ", 'seconds_dispatch_to_follow_up', " DURATION("2") ", " \
    "'seconds_to_completion', " DURATION("3") ", " \
    "'verification_compliance', " \
    SHOWN("round(100.0 * sum(g.verification_in_time) / NULLIF(sum(g.verification_due), 0), 2)") ", " \
    "'follow_up_compliance', " \
    SHOWN("round(100.0 * sum(g.follow_up_in_time) / NULLIF(sum(g.follow_up_due), 0), 2)") ", " \
    "'missed', json_build_object('verification', " SUM("verification_missed") ", " \
    "    'follow_up', " SUM("follow_up_missed") ", 'resolution', " SUM("resolution_missed") ")"

/* The rows of `rows` (f or ft) with the key of the summary's group_by ($8), as f. */
#define SUMMARY_KEYED(rows) \
    "CASE $8 WHEN 'region' THEN f.region_code WHEN 'category' THEN f.category_code " \
    "  WHEN 'classification' THEN f.classification WHEN 'channel' THEN f.channel " \
    "  WHEN 'period' THEN jakarta_period(f.month::timestamp AT TIME ZONE 'Asia/Jakarta', $9) " \
    "  WHEN 'institution' THEN i.code ELSE 'all' END AS key, " \
    "f.* FROM " rows " f LEFT JOIN (institution_ancestors a JOIN institutions i ON i.code = a.ancestor AND i.kind = $10) " \
    "  ON $8 = 'institution' AND a.code = f.institution_code " \
    "WHERE $8 <> 'institution' OR (i.code IS NOT NULL AND ($3::text IS NULL " \
    "  OR i.code IN (SELECT code FROM institution_ancestors WHERE ancestor = $3) " \
    "  OR EXISTS (SELECT 1 FROM institutions r WHERE r.code = $3 AND r.parent_code IS NULL)))"

/* $8 group_by, $9 period unit, $10 institution level, $11 public, $12 by day; `selection` GROUPED
 * or WHOLE_ONLY. */
#define SUMMARY_SQL(selection) \
    "WITH " selection ", " \
    "g AS (SELECT " SUMMARY_KEYED("f") "), gt AS (SELECT " SUMMARY_KEYED("ft") "), " \
    TIMES " " \
    "SELECT json_build_object('group_by', $8, 'public', $11::boolean, " \
    "  'groups', COALESCE(json_agg(x.row ORDER BY x.key), '[]'))::text " \
    "FROM (SELECT g.key, json_build_object('key', g.key, " MEASURES ") AS row FROM g CROSS JOIN m GROUP BY g.key) x"
static const char summary_sql[] = SUMMARY_SQL(GROUPED);
static const char summary_whole_sql[] = SUMMARY_SQL(WHOLE_ONLY);

/* The rows of `rows` (f or ft) of the institutions of level $10 (within $3), keyed by them. */
#define RANKED_KEYED(rows) \
    "i.code AS key, i.name, f.* FROM institutions i JOIN institution_ancestors a ON a.ancestor = i.code " \
    "JOIN " rows " f ON f.institution_code = a.code " \
    "WHERE i.kind = $10 AND ($3::text IS NULL OR i.code IN (SELECT code FROM institution_ancestors WHERE ancestor = $3))"

/* $8 order, $9 minimum reports (NULL: the setting ranking_min_reports), $10 level, $11 public, $12 false;
 * `selection` GROUPED or WHOLE_ONLY. */
#define RANKINGS_SQL(selection) \
    "WITH " selection ", " \
    "g AS (SELECT " RANKED_KEYED("f") "), gt AS (SELECT " RANKED_KEYED("ft") "), " \
    TIMES ", " \
    "r AS (SELECT g.key, min(g.name) AS name, sum(g.received) AS received, " \
    "        round(100.0 * sum(g.completed) / sum(g.received), 2) AS rate, " TIME_OF("3", "0.5") " AS median, " \
    "        json_build_object('key', g.key, 'name', min(g.name), " MEASURES ") AS row " \
    "      FROM g CROSS JOIN m GROUP BY g.key), " \
    "q AS (SELECT GREATEST(COALESCE($9::int, (SELECT value FROM stats_settings WHERE key = 'ranking_min_reports'), 10), " \
    "      CASE WHEN $11 THEN (SELECT min_count FROM m) ELSE 0 END) AS minimum), " \
    "o AS (SELECT r.*, r.received >= q.minimum AS ranked, row_number() OVER (ORDER BY r.received >= q.minimum DESC, " \
    "        CASE WHEN $8 = 'completion' THEN -r.rate END NULLS LAST, " \
    "        CASE WHEN $8 = 'speed' THEN r.median END NULLS LAST, r.received DESC, r.key) AS n FROM r, q) " \
    "SELECT json_build_object('order', $8, 'level', $10, 'min_reports', (SELECT minimum FROM q), " \
    "  'tie_break', CASE WHEN $8 = 'completion' THEN 'higher completion_rate, then more reports received, then institution code' " \
    "                    ELSE 'shorter median time to completion (none last), then more reports received, then institution code' END, " \
    "  'items', COALESCE(json_agg(o.row::jsonb || jsonb_build_object('rank', o.n) ORDER BY o.n) FILTER (WHERE o.ranked), '[]'), " \
    "  'not_ranked', COALESCE(json_agg(json_build_object('key', o.key, 'name', o.name, " \
    "      'received', stat_count(o.received, $11, (SELECT min_count FROM m))) ORDER BY o.key) FILTER (WHERE NOT o.ranked), '[]'))::text " \
    "FROM o"
static const char rankings_sql[] = RANKINGS_SQL(GROUPED);
static const char rankings_whole_sql[] = RANKINGS_SQL(WHOLE_ONLY);

/* Survey answers: $1 from, $2 to (Jakarta dates of answering), $3 institution subtree. */
static const char ikm_sql[] =
    "WITH s AS (SELECT r.answers FROM survey_responses r WHERE "
    "    ($1::date IS NULL OR (r.submitted_at AT TIME ZONE 'Asia/Jakarta')::date >= $1::date) "
    "    AND ($2::date IS NULL OR (r.submitted_at AT TIME ZONE 'Asia/Jakarta')::date <= $2::date) "
    "    AND ($3::text IS NULL OR r.institution_code IN (SELECT code FROM institution_ancestors WHERE ancestor = $3) "
    "         OR EXISTS (SELECT 1 FROM institutions x WHERE x.code = $3 AND x.parent_code IS NULL))), "
    "e AS (SELECT k, count(s.answers[k]) AS answered, COALESCE(sum(s.answers[k]), 0) AS total "
    "      FROM generate_series(1, 9) k LEFT JOIN s ON true GROUP BY k), "
    "i AS (SELECT round(ikm_hundredths(array_agg(total::numeric ORDER BY k), array_agg(answered::numeric ORDER BY k)) / 100, 2) "
    "      AS ikm FROM e), "
    "w AS (SELECT $4::boolean AND (SELECT count(*) FROM s) BETWEEN 1 AND "
    "      COALESCE((SELECT value FROM stats_settings WHERE key = 'public_min_count'), 5) - 1 AS withheld) "
    "SELECT json_build_object('institution', $3::text, 'withheld', w.withheld, "
    "  'respondents', CASE WHEN NOT w.withheld THEN (SELECT count(*) FROM s) END, "
    "  'elements', CASE WHEN NOT w.withheld THEN (SELECT json_agg(json_build_object('element', 'U' || k, "
    "      'answered', answered, 'nrr', CASE WHEN answered > 0 THEN round(total::numeric / answered, 4) END) "
    "      ORDER BY k) FROM e) END, "
    "  'ikm', CASE WHEN NOT w.withheld THEN i.ikm END, "
    "  'grade', CASE WHEN NOT w.withheld THEN ikm_grade(i.ikm) END)::text FROM i, w";

static const char export_sql[] =
    "WITH " FILTERED " "
    "SELECT json_build_object('items', COALESCE(json_agg(json_build_object('tracking_id', f.tracking_id, "
    "  'submitted_at', iso_utc(f.submitted_at), 'classification', f.classification, 'category', f.category_code, "
    "  'region', f.region_code, 'channel', f.channel, 'institution', f.institution_code, 'status', f.status, "
    "  'public_status', f.public_status, 'verified_at', iso_utc(f.verified_at), "
    "  'dispatched_at', iso_utc(f.dispatched_at), 'followed_up_at', iso_utc(f.followed_up_at), "
    "  'completed_at', iso_utc(f.completed_at), 'ever_postponed', f.ever_postponed, "
    "  'ever_transferred', f.ever_transferred, 'verification_missed', f.verification_missed, "
    "  'follow_up_missed', f.follow_up_missed, 'resolution_missed', f.resolution_missed) "
    "  ORDER BY f.submitted_at, f.tracking_id), '[]'))::text FROM f, m";

static bool one_of(const char *value, const char *const *allowed)
{
    for (; *allowed; allowed++)
        if (strcmp(value, *allowed) == 0)
            return true;
    return false;
}

static int invalid(error_reply_t *refusal, const char *what)
{
    return error_reply_refuse(refusal, ERROR_INVALID, what);
}

/* YYYY-MM-DD in digits (PostgreSQL then checks the day exists); codes of letters, digits, '.',
 * '_' and '-' only ('_' for classifications and channels: no code is matched with LIKE). */
static bool is_date(const char *s)
{
    if (strlen(s) != 10 || s[4] != '-' || s[7] != '-')
        return false;
    for (int i = 0; i < 10; i++)
        if (i != 4 && i != 7 && (s[i] < '0' || s[i] > '9'))
            return false;
    return true;
}

static bool is_code(const char *s)
{
    size_t n = strlen(s);
    return n > 0 && n <= 32 && strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._-") == n;
}

static int check_filter(const stats_filter_t *f, error_reply_t *refusal)
{
    if ((f->from && !is_date(f->from)) || (f->to && !is_date(f->to)))
        return invalid(refusal, "from and to are dates written YYYY-MM-DD");
    const char *codes[] = {f->institution, f->region, f->category, f->classification, f->channel};
    for (size_t i = 0; i < sizeof codes / sizeof codes[0]; i++)
        if (codes[i] && !is_code(codes[i]))
            return invalid(refusal, "institution, region, category, classification and channel are codes");
    static const char *const groups[] = {"none", "institution", "region", "category", "classification", "channel",
                                         "period", NULL};
    static const char *const periods[] = {"day", "month", "year", NULL};
    static const char *const levels[] = {"national", "ministry", "province", "regency", "city", "unit", NULL};
    if (f->group_by && !one_of(f->group_by, groups))
        return invalid(refusal, "group_by is none, institution, region, category, classification, channel or period");
    if (f->period && !one_of(f->period, periods))
        return invalid(refusal, "period is day, month or year");
    if (f->level && !one_of(f->level, levels))
        return invalid(refusal, "level is national, ministry, province, regency, city or unit");
    return 0;
}

/* Runs one of the queries; a value PostgreSQL cannot read (a date like 2026-02-31) is the caller's. */
static int render(db_t *db, const char *sql, int nparams, const char *const *params, char **json, error_reply_t *refusal, db_error_t *error)
{
    int rc = db_query_value(db, sql, nparams, params, json, error);
    if (rc != 0 && strcmp(error->sqlstate, "22008") == 0)   /* a date that does not exist, e.g. 2026-02-31 */
        return invalid(refusal, "from and to are dates written YYYY-MM-DD");
    return rc;
}

int stats_views_summary(db_t *db, const stats_filter_t *f, char **json, error_reply_t *refusal,
                        db_error_t *error)
{
    *json = NULL;
    if (check_filter(f, refusal) != 0)
        return 1;
    const char *group_by = f->group_by ? f->group_by : "none";
    if (strcmp(group_by, "institution") == 0 && !f->level)
        return invalid(refusal, "group_by=institution needs a level");
    const char *period = f->period ? f->period : "month";
    /* the rollup keeps months: days are grouped from the reports */
    bool by_day = strcmp(group_by, "period") == 0 && strcmp(period, "day") == 0;
    const char *params[] = {f->from, f->to, f->institution, f->region, f->category, f->classification, f->channel,
                            group_by, period, f->level, f->public_view ? "t" : "f", by_day ? "t" : "f"};
    return render(db, f->from || f->to || by_day ? summary_sql : summary_whole_sql, 12, params, json, refusal, error);
}

int stats_views_rankings(db_t *db, const stats_filter_t *f, const char *order, int min_reports, char **json,
                         error_reply_t *refusal, db_error_t *error)
{
    *json = NULL;
    if (check_filter(f, refusal) != 0)
        return 1;
    if (!f->level)
        return invalid(refusal, "rankings need a level");
    if (!order || (strcmp(order, "completion") != 0 && strcmp(order, "speed") != 0))
        return invalid(refusal, "order is completion or speed");
    char minimum[24] = "";
    snprintf(minimum, sizeof minimum, "%d", min_reports);
    const char *params[] = {f->from, f->to, f->institution, f->region, f->category, f->classification, f->channel,
                            order, min_reports >= 0 ? minimum : NULL, f->level, f->public_view ? "t" : "f", "f"};
    return render(db, f->from || f->to ? rankings_sql : rankings_whole_sql, 12, params, json, refusal, error);
}

static int ikm_of(db_t *db, const stats_filter_t *f, char **json, error_reply_t *refusal, db_error_t *error)
{
    const char *params[] = {f->from, f->to, f->institution, f->public_view ? "t" : "f"};
    return render(db, ikm_sql, 4, params, json, refusal, error);
}

/* {"level", "items": [the index of each active institution of the level inside the filter]}. */
static int ikm_by_level(db_t *db, const stats_filter_t *f, char **json, error_reply_t *refusal,
                        db_error_t *error)
{
    const char *params[] = {f->level, f->institution};
    PGresult *r = db_exec(db, "SELECT code FROM institutions WHERE kind = $1 AND active AND ($2::text IS NULL "
                              "OR code IN (SELECT code FROM institution_ancestors WHERE ancestor = $2)) ORDER BY code",
                          2, params, error);
    json_t *items = r ? json_array() : NULL;
    int rc = r && items ? 0 : -1;
    for (int i = 0; rc == 0 && i < PQntuples(r); i++) {
        stats_filter_t one = *f;
        one.institution = PQgetvalue(r, i, 0);
        char *doc = NULL;
        rc = ikm_of(db, &one, &doc, refusal, error);
        json_t *item = doc ? json_loads(doc, 0, NULL) : NULL;
        free(doc);
        if (rc == 0 && (!item || json_array_append_new(items, item) != 0))
            rc = -1;
    }
    PQclear(r);
    json_t *answer = rc == 0 ? json_pack("{s:s, s:o}", "level", f->level, "items", items) : NULL;
    if (!answer)
        json_decref(items);
    *json = answer ? json_dumps(answer, JSON_COMPACT) : NULL;
    json_decref(answer);
    if (rc == 0 && !*json) {
        snprintf(error->message, sizeof error->message, "out of memory");
        rc = -1;
    }
    return rc;
}

int stats_views_ikm(db_t *db, const stats_filter_t *f, char **json, error_reply_t *refusal,
                    db_error_t *error)
{
    *json = NULL;
    if (check_filter(f, refusal) != 0)
        return 1;
    return f->level ? ikm_by_level(db, f, json, refusal, error)
                    : ikm_of(db, f, json, refusal, error);
}

int stats_views_export_reports(db_t *db, const stats_filter_t *f, char **json, error_reply_t *refusal,
                               db_error_t *error)
{
    *json = NULL;
    if (check_filter(f, refusal) != 0)
        return 1;
    const char *params[] = {f->from, f->to, f->institution, f->region, f->category, f->classification, f->channel};
    return render(db, export_sql, 7, params, json, refusal, error);
}

int stats_views_in_subtree(db_t *db, const char *code, const char *root, db_error_t *error)
{
    char *answer = NULL;
    const char *params[] = {code, root};
    if (db_query_value(db, "SELECT institution_within($1, $2)::text", 2, params, &answer, error) != 0)
        return -1;
    int rc = answer && answer[0] == 't' ? 1 : 0;
    free(answer);
    return rc;
}
