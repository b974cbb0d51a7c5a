#include "survey_store.h"

#include <stdio.h>

#include "secret_token.h"

/* {a,b,...} with NULL for a left-out element. */
static void answers_literal(const int answers[SURVEY_ELEMENTS], char out[64])
{
    size_t n = (size_t) snprintf(out, 64, "{");
    for (int i = 0; i < SURVEY_ELEMENTS; i++)
        n += (size_t) snprintf(out + n, 64 - n, i ? ",%s" : "%s",
                               answers[i] ? (const char *[]) {"", "1", "2", "3", "4"}[answers[i]] : "NULL");
    snprintf(out + n, 64 - n, "}");
}

/* When nothing was added: 0 if this request recorded its answer before (a resend), else
 * `otherwise`; -1 error. A statement of its own, so that it sees what a concurrent attempt of the
 * same request committed while ours waited on the unique key. */
static int answered_by(db_t *db, const char *request_id, int otherwise, db_error_t *error)
{
    const char *params[] = {request_id};
    PGresult *r = db_exec(db, "SELECT 1 FROM survey_responses WHERE request_id = $1", 1, params, error);
    if (!r)
        return -1;
    int rc = PQntuples(r) > 0 ? 0 : otherwise;
    PQclear(r);
    return rc;
}

/* The outcome of the reporter's insert: counts of matching reports, whether it is closed, rows added. */
static int reporter_outcome(const PGresult *r)
{
    if (PQgetvalue(r, 0, 0)[0] == '0')
        return 1;
    if (PQgetvalue(r, 0, 1)[0] != 't')
        return 2;
    return PQgetvalue(r, 0, 2)[0] == '0' ? 3 : 0;
}

int survey_store_reporter(db_t *db, const char *request_id, const char *tracking_id, const char *reporter_token,
                          const int answers[SURVEY_ELEMENTS], db_error_t *error)
{
    char hash[SECRET_TOKEN_HASH_HEX_LEN + 1], values[64];
    secret_token_hash_hex(reporter_token ? reporter_token : "", hash);
    answers_literal(answers, values);
    const char *params[] = {tracking_id, hash, values, request_id};
    PGresult *r = db_exec(db,
        "WITH rep AS (SELECT tracking_id, institution_code, status IN ('closed_by_admin', 'closed_by_system') AS closed "
        "             FROM reports WHERE tracking_id = $1 AND reporter_token_hash = $2), "
        "added AS (INSERT INTO survey_responses (respondent, tracking_id, institution_code, answers, request_id) "
        "          SELECT 'reporter', tracking_id, institution_code, $3::smallint[], $4 FROM rep "
        "          WHERE closed AND institution_code IS NOT NULL ON CONFLICT DO NOTHING RETURNING id) "
        "SELECT (SELECT count(*) FROM rep), (SELECT bool_or(closed) FROM rep), (SELECT count(*) FROM added)",
        4, params, error);
    if (!r)
        return -1;
    int rc = reporter_outcome(r);
    PQclear(r);
    if (rc != 3)
        return rc;
    return answered_by(db, request_id, 3, error);
}

int survey_store_service_user(db_t *db, const char *request_id, const char *institution,
                              const int answers[SURVEY_ELEMENTS], db_error_t *error)
{
    char values[64];
    answers_literal(answers, values);
    const char *params[] = {institution, values, request_id};
    PGresult *r = db_exec(db,
        "INSERT INTO survey_responses (respondent, institution_code, answers, request_id) "
        "SELECT 'service_user', code, $2::smallint[], $3 FROM institutions WHERE code = $1 AND active "
        "ON CONFLICT (request_id) DO NOTHING RETURNING id",
        3, params, error);
    if (!r)
        return -1;
    int added = PQntuples(r) == 1;
    PQclear(r);
    if (added)
        return 0;
    return answered_by(db, request_id, 1, error);
}
