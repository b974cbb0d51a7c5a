#include "forward_store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void int_text(int64_t value, char out[24])
{
    snprintf(out, 24, "%lld", (long long) value);
}

int forward_store_enqueue(db_t *db, const char *tracking_id, int *created, db_error_t *error)
{
    const char *params[] = {tracking_id};
    PGresult *r = db_exec(db,
        "INSERT INTO federation_forwards (tracking_id, institution_code) "
        "SELECT r.tracking_id, u.institution_code FROM reports r "
        "  JOIN federation_upstreams u ON u.institution_code = r.institution_code WHERE r.tracking_id = $1 "
        "ON CONFLICT (tracking_id, institution_code) DO NOTHING", 1, params, error);
    if (!r)
        return -1;
    *created = atoi(PQcmdTuples(r));
    PQclear(r);
    return 0;
}

/* The category's own service code, else its group's, else the upstream's default, else the
 * category's code itself (two aduan instances share the national category list). */
#define CLAIM_SELECT \
    "SELECT f.id, f.attempts, f.alerted_at IS NOT NULL, f.tracking_id, u.institution_code, u.base_url, " \
    "  u.jurisdiction_id, COALESCE((SELECT s.service_code FROM federation_service_codes s " \
    "    JOIN categories c ON c.code = r.category_code WHERE s.institution_code = u.institution_code " \
    "    AND s.category_code IN (c.code, c.parent_code) ORDER BY s.category_code = c.code DESC LIMIT 1), " \
    "    u.default_service_code, r.category_code), " \
    "  r.title, r.body, r.address, r.lat IS NOT NULL, r.lat, r.lon, r.anonymous, r.confidential, " \
    "  r.reporter_name, r.reporter_email, r.reporter_phone, f.upstream_id, f.upstream_status, f.notes_seen " \
    "FROM federation_forwards f JOIN federation_upstreams u USING (institution_code) " \
    "  JOIN reports r USING (tracking_id) "

static int claim(db_t *db, const char *sql, int n, const char *const *params, forward_t *f, db_error_t *error)
{
    memset(f, 0, sizeof *f);
    PGresult *r = db_exec(db, sql, n, params, error);
    if (!r)
        return -1;
    if (PQntuples(r) == 0) {
        PQclear(r);
        return 1;
    }
    f->id = strtoll(PQgetvalue(r, 0, 0), NULL, 10);
    f->attempts = atoi(PQgetvalue(r, 0, 1));
    f->alerted = PQgetvalue(r, 0, 2)[0] == 't';
    char **strings[] = {&f->tracking_id, &f->institution, &f->base_url, &f->jurisdiction_id, &f->service_code,
                        &f->title, &f->body, &f->address};
    for (int i = 0; i < 8; i++)
        *strings[i] = db_value_dup(r, 0, 3 + i);
    f->has_position = PQgetvalue(r, 0, 11)[0] == 't';
    f->lat = f->has_position ? strtod(PQgetvalue(r, 0, 12), NULL) : 0;
    f->lon = f->has_position ? strtod(PQgetvalue(r, 0, 13), NULL) : 0;
    f->anonymous = PQgetvalue(r, 0, 14)[0] == 't';
    f->confidential = PQgetvalue(r, 0, 15)[0] == 't';
    f->reporter_name = db_value_dup(r, 0, 16);
    f->reporter_email = db_value_dup(r, 0, 17);
    f->reporter_phone = db_value_dup(r, 0, 18);
    f->upstream_id = db_value_dup(r, 0, 19);
    f->upstream_status = db_value_dup(r, 0, 20);
    f->notes_seen = atoi(PQgetvalue(r, 0, 21));
    PQclear(r);
    return f->tracking_id && f->base_url && f->service_code ? 0 : -1;
}

int forward_store_claim_due(db_t *db, int64_t now_ms, forward_t *forward, db_error_t *error)
{
    char now[24];
    int_text(now_ms, now);
    const char *params[] = {now};
    return claim(db, CLAIM_SELECT
                 "WHERE f.state = 'pending' AND f.next_attempt_at <= to_timestamp($1::bigint / 1000.0) "
                 "  AND r.institution_code = f.institution_code "   /* not sent once moved elsewhere here */
                 "ORDER BY f.next_attempt_at LIMIT 1 FOR UPDATE OF f SKIP LOCKED", 1, params, forward, error);
}

int forward_store_claim_poll(db_t *db, int64_t now_ms, int64_t poll_ms, forward_t *forward, db_error_t *error)
{
    char since[24];
    int_text(now_ms - poll_ms, since);
    const char *params[] = {since};
    return claim(db, CLAIM_SELECT
                 "JOIN open311_statuses o ON o.status = r.status "
                 "WHERE f.state = 'forwarded' AND o.open311 = 'open' AND r.institution_code = f.institution_code "
                 "  AND (f.polled_at IS NULL OR f.polled_at <= to_timestamp($1::bigint / 1000.0)) "
                 "ORDER BY f.polled_at NULLS FIRST LIMIT 1 FOR UPDATE OF f SKIP LOCKED", 1, params, forward, error);
}

static int update(db_t *db, const char *sql, int n, const char *const *params, db_error_t *error)
{
    return db_exec_ok(db, sql, n, params, error);
}

int forward_store_forwarded(db_t *db, int64_t id, const char *upstream_id, db_error_t *error)
{
    char row[24];
    int_text(id, row);
    const char *params[] = {row, upstream_id};
    return update(db, "UPDATE federation_forwards SET state = 'forwarded', upstream_id = $2, attempts = attempts + 1, "
                      "last_error = NULL WHERE id = $1::bigint", 2, params, error);
}

int forward_store_refused(db_t *db, int64_t id, const char *why, db_error_t *error)
{
    char row[24];
    int_text(id, row);
    const char *params[] = {row, why};
    return update(db, "UPDATE federation_forwards SET state = 'refused', attempts = attempts + 1, last_error = $2 "
                      "WHERE id = $1::bigint", 2, params, error);
}

int forward_store_failed(db_t *db, int64_t id, const char *why, int64_t next_ms, bool alerted, db_error_t *error)
{
    char row[24], next[24];
    int_text(id, row);
    int_text(next_ms, next);
    const char *params[] = {row, why, next, alerted ? "t" : "f"};
    return update(db, "UPDATE federation_forwards SET attempts = attempts + 1, last_error = $2, "
                      "next_attempt_at = to_timestamp($3::bigint / 1000.0), "
                      "alerted_at = CASE WHEN $4::boolean THEN COALESCE(alerted_at, now()) ELSE alerted_at END WHERE id = $1::bigint",
                  4, params, error);
}

int forward_store_polled(db_t *db, int64_t id, int64_t now_ms, const char *upstream_status, int notes_seen,
                         db_error_t *error)
{
    char row[24], now[24], seen[24];
    int_text(id, row);
    int_text(now_ms, now);
    int_text(notes_seen, seen);
    const char *params[] = {row, now, upstream_status, seen};
    return update(db, "UPDATE federation_forwards SET polled_at = to_timestamp($2::bigint / 1000.0), "
                      "upstream_status = $3, notes_seen = $4::int WHERE id = $1::bigint", 4, params, error);
}

void forward_clear(forward_t *f)
{
    char *strings[] = {f->tracking_id, f->institution, f->base_url, f->jurisdiction_id, f->service_code, f->title,
                       f->body, f->address, f->reporter_name, f->reporter_email, f->reporter_phone, f->upstream_id,
                       f->upstream_status};
    for (size_t i = 0; i < sizeof strings / sizeof strings[0]; i++)
        free(strings[i]);
    memset(f, 0, sizeof *f);
}

int forward_store_counts(db_t *db, int64_t *pending, int64_t *refused, db_error_t *error)
{
    PGresult *r = db_exec(db, "SELECT count(*) FILTER (WHERE state = 'pending'), count(*) FILTER (WHERE state = 'refused') "
                              "FROM federation_forwards", 0, NULL, error);
    if (!r)
        return -1;
    *pending = strtoll(PQgetvalue(r, 0, 0), NULL, 10);
    *refused = strtoll(PQgetvalue(r, 0, 1), NULL, 10);
    PQclear(r);
    return 0;
}
