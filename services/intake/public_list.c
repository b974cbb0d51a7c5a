#include "public_list.h"

#include <stdio.h>
#include <stdlib.h>

#include "error_reply.h"
#include "logger.h"
#include "public_list_codec.h"
#include "staff_query_codec.h"

#define ISO(ts) "to_char((" ts ") AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')"

/* $1 words, $2 category (and its children), $3 region (and below), $4 public bucket, $5 from,
 * $6 to (Jakarta dates), $7 limit, $8 offset, $9 a draft's text, $10 lat, $11 lon. One row more
 * than asked tells whether a next page exists. The text conditions repeat the index expressions
 * of migrations 0019 (full text and trigrams) word for word. Only verified buckets are named:
 * before verification (waiting or postponed) the verifier may still make a report confidential. */
static const char list_sql[] =
    "WITH found AS (SELECT r.*, CASE WHEN $9::text IS NULL THEN 0 "
    "                  ELSE word_similarity($9::text, r.title || ' ' || r.body) END AS score "
    "  FROM reports r JOIN report_statuses s ON s.status = r.status "
    "  WHERE NOT r.confidential AND s.public_status IN ('not_yet_followed_up', 'in_process', 'completed') "
    "    AND ($1::text IS NULL OR to_tsvector('simple', r.title || ' ' || r.body) "
    "                              @@ plainto_tsquery('simple', $1::text)) "
    "    AND ($2::text IS NULL OR r.category_code = $2::text "
    "         OR r.category_code IN (SELECT code FROM categories WHERE parent_code = $2::text)) "
    "    AND ($3::text IS NULL OR r.region_code = $3::text OR r.region_code LIKE $3::text || '.%') "
    "    AND ($4::text IS NULL OR s.public_status = $4::text) "
    "    AND ($5::date IS NULL OR r.submitted_at >= ($5::date::timestamp AT TIME ZONE 'Asia/Jakarta')) "
    "    AND ($6::date IS NULL OR r.submitted_at < (($6::date + 1)::timestamp AT TIME ZONE 'Asia/Jakarta')) "
    "    AND ($9::text IS NULL OR ($9::text <% (r.title || ' ' || r.body) AND r.submitted_at > now() - interval '90 days' "
    "         AND s.public_status IN ('not_yet_followed_up', 'in_process'))) "
    "    AND ($10::float8 IS NULL OR (r.lat IS NOT NULL AND 2 * 6371008.8 * asin(sqrt("
    "         power(sin(radians(r.lat - $10::float8) / 2), 2) + cos(radians($10::float8)) * cos(radians(r.lat)) "
    "         * power(sin(radians(r.lon - $11::float8) / 2), 2))) <= $12::float8)) "
    "  ORDER BY score DESC, r.submitted_at DESC, r.id DESC LIMIT $7::int + 1 OFFSET $8::int), "
    "page AS (SELECT * FROM found ORDER BY score DESC, submitted_at DESC, id DESC LIMIT $7::int) "
    "SELECT json_build_object('items', coalesce((SELECT json_agg(json_build_object("
    "    'tracking_id', p.tracking_id, 'classification', p.classification, 'title', p.title, "
    "    'summary', left(p.body, 280), 'status', s.public_status, "
    "    'category', json_build_object('code', p.category_code, 'name', c.name, 'name_en', c.name_en), "
    "    'region', json_build_object('code', p.region_code, 'name', g.name), "
    "    'institution', i.name, 'supports', (SELECT count(*) FROM report_supports u WHERE u.report_id = p.id), "
    "    'location', CASE WHEN p.lat IS NULL THEN NULL "
    "        ELSE json_build_object('lat', p.lat, 'lon', p.lon) END, "
    "    'submitted_at', " ISO("p.submitted_at") ") ORDER BY p.score DESC, p.submitted_at DESC, p.id DESC) "
    "  FROM page p JOIN report_statuses s ON s.status = p.status JOIN categories c ON c.code = p.category_code "
    "  JOIN regions g ON g.code = p.region_code LEFT JOIN institutions i ON i.code = p.institution_code), '[]'), "
    "  'has_more', (SELECT count(*) FROM found) > $7::int)";

static int list(db_t *db, const public_list_query_t *q, char **json, db_error_t *error)
{
    char limit[16], offset[16], lat[32], lon[32], radius[16];
    snprintf(limit, sizeof limit, "%u", q->limit);
    snprintf(offset, sizeof offset, "%u", q->offset);
    snprintf(lat, sizeof lat, "%.17g", q->lat);
    snprintf(lon, sizeof lon, "%.17g", q->lon);
    snprintf(radius, sizeof radius, "%d", PUBLIC_LIST_NEAR_METRES);
    const char *params[] = {q->q, q->category, q->region, q->status, q->from, q->to, limit, offset, q->similar,
                            q->has_position ? lat : NULL, q->has_position ? lon : NULL, radius};
    return db_query_value(db, list_sql, 12, params, json, error);
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
