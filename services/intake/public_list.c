#include "public_list.h"

#include <stdio.h>
#include <stdlib.h>

#include "error_reply.h"
#include "logger.h"
#include "public_list_codec.h"
#include "staff_query_codec.h"

#define ISO(ts) "to_char((" ts ") AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')"

/* The conditions both statements share: $2 category (and its children), $3 region (and below), $4
 * public bucket, $5 from, $6 to (Jakarta dates), $9 $10 a position and $11 a radius. Only verified
 * buckets are named: before verification (waiting or postponed) the verifier may still make a
 * report confidential. The statuses left out are the predicate of the list's indexes (migration
 * 0048), repeated so that the planner may use them; the buckets still decide what is listed. */
#define REPORT_FILTERS \
    "NOT r.confidential AND r.status NOT IN ('waiting_verification', 'postponed', 'archived') " \
    "AND ($2::text IS NULL OR r.category_code = $2::text " \
    "     OR r.category_code IN (SELECT code FROM categories WHERE parent_code = $2::text)) " \
    "AND ($3::text IS NULL OR r.region_code = $3::text OR r.region_code LIKE $3::text || '.%') " \
    "AND ($5::date IS NULL OR r.submitted_at >= ($5::date::timestamp AT TIME ZONE 'Asia/Jakarta')) " \
    "AND ($6::date IS NULL OR r.submitted_at < (($6::date + 1)::timestamp AT TIME ZONE 'Asia/Jakarta')) " \
    "AND ($9::float8 IS NULL OR (r.lat IS NOT NULL AND 2 * 6371008.8 * asin(sqrt(" \
    "     power(sin(radians(r.lat - $9::float8) / 2), 2) + cos(radians($9::float8)) * cos(radians(r.lat)) " \
    "     * power(sin(radians(r.lon - $10::float8) / 2), 2))) <= $11::float8)) "
#define BUCKETS(s) \
    s ".public_status IN ('not_yet_followed_up', 'in_process', 'completed') " \
    "AND ($4::text IS NULL OR " s ".public_status = $4::text) "
#define LISTED REPORT_FILTERS "AND " BUCKETS("s")

/* $1 words, in the stored words of the title and body (migration 0029). */
#define WORDS_MATCH(r) r ".public_words @@ plainto_tsquery('simple', $1::text)"

/* The page as JSON from `found` (the page's rows and one more, which tells that a next page
 * exists, in the order `ORDER`); $7 limit. NEXT is the cursor of a following page. */
#define PAGE_JSON(ORDER, NEXT) \
    "page AS (SELECT * FROM found p ORDER BY " ORDER " LIMIT $7::int) " \
    "SELECT json_build_object('items', coalesce((SELECT json_agg(json_build_object(" \
    "    'tracking_id', p.tracking_id, 'classification', p.classification, 'title', p.title, " \
    "    'summary', left(p.body, 280), 'status', s.public_status, " \
    "    'category', json_build_object('code', p.category_code, 'name', c.name, 'name_en', c.name_en), " \
    "    'region', json_build_object('code', p.region_code, 'name', g.name), " \
    "    'institution', i.name, 'supports', (SELECT count(*) FROM report_supports u WHERE u.report_id = p.id), " \
    "    'location', CASE WHEN p.lat IS NULL THEN NULL " \
    "        ELSE json_build_object('lat', p.lat, 'lon', p.lon) END, " \
    "    'submitted_at', " ISO("p.submitted_at") ") ORDER BY " ORDER ") " \
    "  FROM page p JOIN report_statuses s ON s.status = p.status JOIN categories c ON c.code = p.category_code " \
    "  JOIN regions g ON g.code = p.region_code LEFT JOIN institutions i ON i.code = p.institution_code), '[]'), " \
    "  'has_more', (SELECT count(*) FROM found) > $7::int, " \
    "  'next', CASE WHEN (SELECT count(*) FROM found) > $7::int THEN " NEXT " END)"

/* The newest-first page's last report, as "<submitted_at in microseconds>.<id>". */
#define LAST_OF_PAGE \
    "(SELECT (extract(epoch FROM p.submitted_at) * 1000000)::bigint || '.' || p.id FROM page p " \
    " ORDER BY p.submitted_at, p.id LIMIT 1)"

/* Newest first. $1 words, $7 limit, $8 offset, $12 $13 the cursor (after this submitted_at in
 * microseconds and id). Reports are walked down the date index, at most WALK_PER_ROW times the
 * rows asked, and tested for their bucket and words (`walk`): a page of common words, or of none,
 * costs the page. When that walk comes back short (rare words, a sparse bucket, the list's end),
 * the matches are read from the indexes and sorted (`matched`; OFFSET 0 keeps the planner from
 * walking the date index again in the hope that the page fills soon): a bound on each path,
 * rather than the planner's guess of how words combine (docs/performance.md "The public list"). */
#define WALK_PER_ROW "100"
#define AFTER_CURSOR \
    "AND ($12::bigint IS NULL OR (r.submitted_at, r.id) " \
    "     < (timestamptz 'epoch' + $12::bigint * interval '1 microsecond', $13::bigint)) "
const char public_list_sql[] =
    "WITH walk AS MATERIALIZED (SELECT w.* FROM (SELECT r.* FROM reports r WHERE " REPORT_FILTERS AFTER_CURSOR
    "      ORDER BY r.submitted_at DESC, r.id DESC LIMIT ($7::int + 1 + $8::int) * " WALK_PER_ROW ") w "
    "    JOIN report_statuses s ON s.status = w.status "
    "    WHERE " BUCKETS("s") "AND ($1::text IS NULL OR " WORDS_MATCH("w") ") "
    "    ORDER BY w.submitted_at DESC, w.id DESC LIMIT $7::int + 1 OFFSET $8::int), "
    "short AS (SELECT (SELECT count(*) FROM walk) <= $7::int AS yes), "
    "matched AS MATERIALIZED (SELECT m.* FROM (SELECT r.* FROM reports r WHERE (SELECT yes FROM short) "
    "      AND " REPORT_FILTERS AFTER_CURSOR "AND ($1::text IS NULL OR " WORDS_MATCH("r") ") OFFSET 0) m "
    "    JOIN report_statuses s ON s.status = m.status WHERE " BUCKETS("s")
    "    ORDER BY m.submitted_at DESC, m.id DESC LIMIT $7::int + 1 OFFSET $8::int), "
    "found AS (SELECT * FROM walk WHERE NOT (SELECT yes FROM short) UNION ALL SELECT * FROM matched), "
    PAGE_JSON("p.submitted_at DESC, p.id DESC", LAST_OF_PAGE);

/* "Support this one instead": $12 a draft's text. Among the SIMILAR_CANDIDATES newest open reports
 * of the last 90 days (near the pin, and within $1 and the list's filters, when given), those whose
 * words resemble it, most similar first (ranked, not paged: no cursor). Ranking every open report of the window rechecked each
 * one's trigrams (a 14-word vocabulary leaves the trigram index nothing to select); the newest
 * bound the cost, and a report the draft could join is a recent one. */
#define SIMILAR_CANDIDATES "500"
const char public_list_similar_sql[] =
    "WITH candidates AS (SELECT r.* FROM reports r JOIN report_statuses s ON s.status = r.status "
    "    WHERE " LISTED "AND ($1::text IS NULL OR " WORDS_MATCH("r") ") "
    "      AND r.submitted_at > now() - interval '90 days' AND s.public_status IN ('not_yet_followed_up', 'in_process') "
    "    ORDER BY r.submitted_at DESC, r.id DESC LIMIT " SIMILAR_CANDIDATES "), "
    "found AS (SELECT c.*, word_similarity($12::text, c.title || ' ' || c.body) AS score FROM candidates c "
    "    WHERE $12::text <% (c.title || ' ' || c.body) "
    "    ORDER BY score DESC, c.submitted_at DESC, c.id DESC LIMIT $7::int + 1 OFFSET $8::int), "
    PAGE_JSON("p.score DESC, p.submitted_at DESC, p.id DESC", "NULL");

static int list(db_t *db, const public_list_query_t *q, char **json, db_error_t *error)
{
    char limit[16], offset[16], lat[32], lon[32], radius[16], after_at[24], after_id[24];
    snprintf(limit, sizeof limit, "%u", q->limit);
    snprintf(offset, sizeof offset, "%u", q->offset);
    snprintf(lat, sizeof lat, "%.17g", q->lat);
    snprintf(lon, sizeof lon, "%.17g", q->lon);
    snprintf(radius, sizeof radius, "%d", PUBLIC_LIST_NEAR_METRES);
    snprintf(after_at, sizeof after_at, "%lld", (long long) q->after_at);
    snprintf(after_id, sizeof after_id, "%lld", (long long) q->after_id);
    /* $1 to $11 mean the same in both statements; then the cursor ($12 $13), or the draft ($12),
     * which the codec never lets come together. */
    const char *params[] = {q->q, q->category, q->region, q->status, q->from, q->to, limit, offset,
                            q->has_position ? lat : NULL, q->has_position ? lon : NULL, radius,
                            q->has_after ? after_at : NULL, q->has_after ? after_id : NULL};
    if (!q->similar)
        return db_query_value(db, public_list_sql, 13, params, json, error);
    params[11] = q->similar;
    return db_query_value(db, public_list_similar_sql, 12, params, json, error);
}

int intake_public_list(void *ctx, const envelope_t *request, envelope_t *reply)
{
    intake_t *intake = ctx;
    public_list_query_t q;
    char reason[200], *json = NULL;
    if (public_list_query_decode(request->body, request->body_size, &q, reason, sizeof reason) != 0)
        return error_reply_simple(reply, ERROR_BAD_MESSAGE, reason) == 0 ? 0 : -1;
    db_error_t error = {"", ""};
    unsigned char *body = NULL;
    size_t size = 0;
    int rc = list(intake->db, &q, &json, &error);
    staff_document_t doc = {json};
    if (rc != 0) {
        logger_error("database: %s %s", error.sqlstate, error.message);
        error_reply_simple(reply, db_error_is_retryable(&error) ? ERROR_UNAVAILABLE : ERROR_INTERNAL,
                           "the list of reports could not be read");
    } else if (staff_document_encode(&doc, &body, &size) != 0)
        error_reply_simple(reply, ERROR_INTERNAL, "the list could not be encoded");
    else {
        envelope_set_type(reply, MSG_STAFF_DOCUMENT);
        envelope_take_body(reply, body, size);
    }
    free(json);
    public_list_query_clear(&q);
    return 0;
}

int public_list_register(cmd_server_t *server, intake_t *intake)
{
    return cmd_server_on(server, MSG_REPORT_LIST, CURVE_ROLE_GATEWAY, intake_public_list, intake);
}
