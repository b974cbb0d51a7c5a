#include "survey_store.h"

#include <stdbool.h>
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

/* When nothing was added: 0 if this request recorded its answer before (a resend), else the
 * refusal `code`; -1 error. A statement of its own, so that it sees what a concurrent attempt of
 * the same request committed while ours waited on the unique key. */
static int answered_by(db_t *db, const char *request_id, const char *code, const char *detail,
                       error_reply_t *refusal, db_error_t *error)
{
    const char *params[] = {request_id};
    PGresult *r = db_exec(db, "SELECT 1 FROM survey_responses WHERE request_id = $1", 1, params, error);
    if (!r)
        return -1;
    bool resent = PQntuples(r) > 0;
    PQclear(r);
    return resent ? 0 : error_reply_refuse(refusal, code, detail);
}

/* The report the token opens, compared in constant time like every reporter token: 0 with
 * *closed (closed and held by an institution, so the answer counts for it), 1 refused, -1 error. */
static int reporter_report(db_t *db, const char *tracking_id, const char *reporter_token, bool *closed,
                           error_reply_t *refusal, db_error_t *error)
{
    const char *params[] = {tracking_id};
    PGresult *r = db_exec(db,
        "SELECT reporter_token_hash, status IN ('closed_by_admin', 'closed_by_system') "
        "       AND institution_code IS NOT NULL FROM reports WHERE tracking_id = $1", 1, params, error);
    if (!r)
        return -1;
    bool found = PQntuples(r) == 1 && secret_token_matches(reporter_token ? reporter_token : "", PQgetvalue(r, 0, 0));
    *closed = found && PQgetvalue(r, 0, 1)[0] == 't';
    PQclear(r);
    if (!found)
        return error_reply_refuse(refusal, ERROR_NOT_FOUND, "no report with this tracking id and reporter token");
    if (!*closed)
        return error_reply_refuse(refusal, ERROR_CONFLICT, "the survey opens when the report is closed");
    return 0;
}

int survey_store_reporter(db_t *db, const char *request_id, const char *tracking_id, const char *reporter_token,
                          const int answers[SURVEY_ELEMENTS], error_reply_t *refusal, db_error_t *error)
{
    bool closed = false;
    int rc = reporter_report(db, tracking_id, reporter_token, &closed, refusal, error);
    if (rc != 0)
        return rc;
    char values[64];
    answers_literal(answers, values);
    const char *params[] = {tracking_id, values, request_id};
    PGresult *r = db_exec(db,
        "INSERT INTO survey_responses (respondent, tracking_id, institution_code, answers, request_id) "
        "SELECT 'reporter', tracking_id, institution_code, $2::smallint[], $3 FROM reports WHERE tracking_id = $1 "
        "ON CONFLICT DO NOTHING RETURNING id", 3, params, error);
    if (!r)
        return -1;
    bool added = PQntuples(r) == 1;
    PQclear(r);
    if (added)
        return 0;
    return answered_by(db, request_id, ERROR_ANSWERED, "The survey of this report was answered already", refusal,
                       error);
}

int survey_store_service_user(db_t *db, const char *request_id, const char *institution, const char *code,
                              const int answers[SURVEY_ELEMENTS], error_reply_t *refusal, db_error_t *error)
{
    char values[64], code_hash[SECRET_TOKEN_HASH_HEX_LEN + 1];
    answers_literal(answers, values);
    secret_token_hash_hex(code, code_hash);
    const char *params[] = {institution, values, request_id, code_hash};
    PGresult *r = db_exec(db,
        "WITH used AS (UPDATE survey_codes SET used_at = now() "
        "  WHERE code_hash = $4 AND institution_code = $1 AND used_at IS NULL "
        "    AND EXISTS (SELECT 1 FROM institutions WHERE code = $1 AND active) RETURNING institution_code) "
        "INSERT INTO survey_responses (respondent, institution_code, answers, request_id) "
        "SELECT 'service_user', institution_code, $2::smallint[], $3 FROM used "
        "ON CONFLICT (request_id) DO NOTHING RETURNING id",
        4, params, error);
    if (!r)
        return -1;
    bool added = PQntuples(r) == 1;
    PQclear(r);
    if (added)
        return 0;
    int rc = answered_by(db, request_id, ERROR_INVALID, "the answers have invalid fields", refusal, error);
    if (rc == 1)
        field_errors_add(&refusal->fields, "code", "unknown", "not an unused survey code of this institution");
    return rc;
}
