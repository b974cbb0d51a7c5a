#include "open311_store.h"

#include <stdio.h>

/* W3C datetime with its zone, always UTC. */
#define ISO(ts) "to_char((" ts ") AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')"

int open311_store_services(db_t *db, char **json, db_error_t *error)
{
    return db_query_value(db,
        "SELECT coalesce(json_agg(json_build_object("
        "  'service_code', c.code, 'service_name', c.name, 'description', c.name_en, "
        "  'metadata', EXISTS (SELECT FROM open311_attributes a WHERE a.category_code = c.code), "
        "  'type', 'realtime', 'keywords', lower(c.name_en), 'group', g.name) ORDER BY c.code), '[]') "
        "FROM categories c JOIN categories g ON g.code = c.parent_code WHERE c.active AND g.active",
        0, NULL, json, error);
}

int open311_store_definition(db_t *db, const char *service_code, char **json, db_error_t *error)
{
    const char *params[] = {service_code};
    if (db_query_value(db,
        "SELECT json_build_object('service_code', $1::text, 'attributes', json_agg(json_build_object("
        "  'variable', true, 'code', a.code, 'datatype', a.datatype, 'required', a.required, "
        "  'datatype_description', coalesce(a.datatype_description, ''), 'order', a.position, "
        "  'description', a.description, 'values', (SELECT coalesce(json_agg(json_build_object('key', v.k, "
        "      'name', v.n) ORDER BY v.i), '[]') FROM unnest(a.value_keys, a.value_names) WITH ORDINALITY v(k, n, i))"
        ") ORDER BY a.position)) "
        "FROM open311_attributes a JOIN categories c ON c.code = a.category_code "
        "WHERE a.category_code = $1 AND c.active HAVING count(*) > 0",
        1, params, json, error) != 0)
        return -1;
    return *json ? 0 : 1;
}

/* $1 ids, $2 service codes, $3 statuses (comma lists), $4 start, $5 end, $6 lat, $7 lon, $8 radius
 * (metres), $9 limit, $10 offset, $11 extensions (without: extended_attributes and notes are null, for the
 * gateway to leave out). Ids override every other filter: whoever names a report reads it like its
 * tracking page. Any other list names only verified buckets, as the public list does: before
 * verification (waiting, postponed, or archived from there) the verifier may still make a report
 * confidential. */
static const char requests_sql[] =
    "WITH asked AS (SELECT regexp_split_to_array($1, '\\s*,\\s*') AS ids, "
    "                      regexp_split_to_array($2, '\\s*,\\s*') AS codes, "
    "                      regexp_split_to_array($3, '\\s*,\\s*') AS statuses), "
    "found AS (SELECT r.* FROM reports r, asked "
    "  WHERE CASE WHEN asked.ids IS NOT NULL THEN r.tracking_id = ANY (asked.ids) ELSE "
    "        (SELECT s.public_status FROM report_statuses s WHERE s.status = r.status) "
    "        IN ('not_yet_followed_up', 'in_process', 'completed') "
    "    AND (asked.codes IS NULL OR r.category_code = ANY (asked.codes)) "
    "    AND (asked.statuses IS NULL OR (SELECT o.open311 FROM open311_statuses o WHERE o.status = r.status) "
    "                                   = ANY (asked.statuses)) "
    "    AND r.submitted_at >= coalesce($4::timestamptz, coalesce($5::timestamptz, now()) - interval '90 days') "
    "    AND ($5::timestamptz IS NULL OR r.submitted_at <= $5::timestamptz) "
    "    AND ($6::float8 IS NULL OR (NOT r.confidential AND r.lat IS NOT NULL AND 2 * 6371008.8 * asin(sqrt("
    "         power(sin(radians(r.lat - $6::float8) / 2), 2) + cos(radians($6::float8)) * cos(radians(r.lat)) "
    "         * power(sin(radians(r.lon - $7::float8) / 2), 2))) <= $8::float8)) END "
    "  ORDER BY r.submitted_at DESC, r.id DESC LIMIT $9::int OFFSET $10::int) "
    "SELECT coalesce(json_agg(doc ORDER BY at DESC, id DESC), '[]') FROM ("
    " SELECT f.submitted_at AS at, f.id, json_build_object("
    "  'service_request_id', f.tracking_id, 'status', o.open311, "
    "  'status_notes', CASE WHEN f.confidential THEN NULL ELSE (SELECT a.note FROM report_actions a "
    "      WHERE a.report_id = f.id AND a.note IS NOT NULL ORDER BY a.id DESC LIMIT 1) END, "
    "  'service_name', c.name, 'service_code', f.category_code, "
    "  'description', CASE WHEN f.confidential THEN NULL ELSE f.body END, "
    "  'agency_responsible', i.name, 'service_notice', NULL, "
    "  'requested_datetime', " ISO("f.submitted_at") ", 'updated_datetime', " ISO("f.updated_at") ", "
    "  'expected_datetime', " ISO("(SELECT min(d.due_at) FROM report_deadlines d "
    "      WHERE d.report_id = f.id AND d.ended_at IS NULL)") ", "
    "  'address', CASE WHEN f.confidential THEN NULL ELSE f.address END, 'address_id', NULL, 'zipcode', NULL, "
    "  'lat', CASE WHEN f.confidential THEN NULL ELSE f.lat END, "
    "  'long', CASE WHEN f.confidential THEN NULL ELSE f.lon END, 'media_url', NULL, "
    "  'extended_attributes', CASE WHEN $11::bool THEN json_build_object("
    "      'status', o.extended, 'classification', f.classification) END, "
    "  'notes', CASE WHEN $11::bool THEN (SELECT coalesce(json_agg(json_build_object('datetime', " ISO("a.at") ", "
    "      'summary', CASE WHEN f.confidential OR a.note IS NULL THEN a.action ELSE a.note END, "
    "      'type', a.action) ORDER BY a.id), '[]') FROM report_actions a WHERE a.report_id = f.id) END) AS doc "
    " FROM found f JOIN open311_statuses o ON o.status = f.status "
    " LEFT JOIN categories c ON c.code = f.category_code LEFT JOIN institutions i ON i.code = f.institution_code) q";

int open311_store_requests(db_t *db, const open311_query_t *q, char **json, db_error_t *error)
{
    char lat[32], lon[32], radius[32], limit[16], offset[16];
    snprintf(lat, sizeof lat, "%.17g", q->lat);
    snprintf(lon, sizeof lon, "%.17g", q->lon);
    snprintf(radius, sizeof radius, "%.17g", q->radius);
    snprintf(limit, sizeof limit, "%u", q->limit);
    snprintf(offset, sizeof offset, "%u", q->offset);
    const char *params[] = {q->ids, q->service_codes, q->statuses, q->start, q->end,
                            q->has_position ? lat : NULL, q->has_position ? lon : NULL,
                            q->has_position ? radius : NULL, limit, offset, q->extensions ? "true" : "false"};
    return db_query_value(db, requests_sql, 11, params, json, error);
}

/* The steps of verified reports only, for the reason given above requests_sql. */
int open311_store_updates(db_t *db, const open311_query_t *q, char **json, db_error_t *error)
{
    char limit[16];
    snprintf(limit, sizeof limit, "%u", q->limit);
    const char *params[] = {q->start, q->end, limit};
    return db_query_value(db,
        "SELECT coalesce(json_agg(doc ORDER BY id), '[]') FROM (SELECT a.id, json_build_object("
        "  'service_request_id', r.tracking_id, 'update_id', a.id::text, 'status', o.extended, "
        "  'updated_datetime', " ISO("a.at") ", "
        "  'description', CASE WHEN r.confidential THEN '' ELSE coalesce(a.note, '') END, 'media_url', '') AS doc "
        " FROM report_actions a JOIN reports r ON r.id = a.report_id JOIN open311_statuses o ON o.status = a.status_after "
        " JOIN report_statuses s ON s.status = r.status "
        " WHERE a.action <> 'submitted' AND s.public_status IN ('not_yet_followed_up', 'in_process', 'completed') "
        "   AND a.at >= coalesce($1::timestamptz, coalesce($2::timestamptz, now()) - interval '90 days') "
        "   AND ($2::timestamptz IS NULL OR a.at <= $2::timestamptz) "
        " ORDER BY a.id LIMIT $3::int) q",
        3, params, json, error);
}

int open311_store_update_of(db_t *db, const char *request_id, char **json, db_error_t *error)
{
    const char *params[] = {request_id};
    if (db_query_value(db, "SELECT json_build_array(json_build_object('update_id', id::text)) FROM report_actions "
                           "WHERE request_id = $1", 1, params, json, error) != 0)
        return -1;
    return *json ? 0 : 1;
}
