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

int survey_store_reporter(db_t *db, const char *tracking_id, const char *reporter_token,
                          const int answers[SURVEY_ELEMENTS], db_error_t *error)
{
    char hash[SECRET_TOKEN_HASH_HEX_LEN + 1], values[64];
    secret_token_hash_hex(reporter_token ? reporter_token : "", hash);
    answers_literal(answers, values);
    const char *params[] = {tracking_id, hash, values};
    PGresult *r = db_exec(db,
        "WITH rep AS (SELECT tracking_id, institution_code, status IN ('closed_by_admin', 'closed_by_system') AS closed "
        "             FROM reports WHERE tracking_id = $1 AND reporter_token_hash = $2), "
        "added AS (INSERT INTO survey_responses (respondent, tracking_id, institution_code, answers) "
        "          SELECT 'reporter', tracking_id, institution_code, $3::smallint[] FROM rep "
        "          WHERE closed AND institution_code IS NOT NULL ON CONFLICT (tracking_id) DO NOTHING RETURNING id) "
        "SELECT (SELECT count(*) FROM rep), (SELECT bool_or(closed) FROM rep), (SELECT count(*) FROM added)",
        3, params, error);
    if (!r)
        return -1;
    int rc = PQgetvalue(r, 0, 0)[0] == '0' ? 1 : PQgetvalue(r, 0, 1)[0] != 't' ? 2 : PQgetvalue(r, 0, 2)[0] == '0' ? 3 : 0;
    PQclear(r);
    return rc;
}

int survey_store_service_user(db_t *db, const char *institution, const int answers[SURVEY_ELEMENTS],
                              db_error_t *error)
{
    char values[64];
    answers_literal(answers, values);
    const char *params[] = {institution, values};
    PGresult *r = db_exec(db,
        "INSERT INTO survey_responses (respondent, institution_code, answers) "
        "SELECT 'service_user', code, $2::smallint[] FROM institutions WHERE code = $1 AND active RETURNING id",
        2, params, error);
    if (!r)
        return -1;
    int rc = PQntuples(r) == 1 ? 0 : 1;
    PQclear(r);
    return rc;
}
