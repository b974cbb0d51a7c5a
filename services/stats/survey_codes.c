#include "survey_codes.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "secret_token.h"
#include "text_buffer.h"

static bool is_admin(const char *role)
{
    return strcmp(role, "national_admin") == 0 || strcmp(role, "institution_admin") == 0;
}

/* 0 in scope, 1 refused, -1 error. */
static int in_scope(db_t *db, const survey_codes_t *ask, error_reply_t *refusal, db_error_t *error)
{
    const char *params[] = {ask->institution, ask->actor_role, ask->actor_institution};
    PGresult *r = db_exec(db, "SELECT $2 = 'national_admin' OR institution_within(code, $3) "
                              "FROM institutions WHERE code = $1 AND active", 3, params, error);
    if (!r)
        return -1;
    int rows = PQntuples(r);
    bool allowed = rows == 1 && PQgetvalue(r, 0, 0)[0] == 't';
    PQclear(r);
    if (rows == 0) {
        error_reply_refuse(refusal, ERROR_INVALID, "the request has invalid fields");
        field_errors_add(&refusal->fields, "institution", "unknown", "no active institution has this code");
        return 1;
    }
    return allowed ? 0 : error_reply_refuse(refusal, ERROR_FORBIDDEN, "the institution is outside your subtree");
}

/* Makes the codes: each one into `codes`, its hash into the array literal *hashes (caller frees).
 * 0, or -1 out of memory. */
static int make_codes(uint32_t count, json_t *codes, char **hashes)
{
    text_buffer_t text = {0};
    text_buffer_append_str(&text, "{");
    for (uint32_t i = 0; i < count; i++) {
        char code[SECRET_TOKEN_LEN + 1], hash[SECRET_TOKEN_HASH_HEX_LEN + 1];
        if (secret_token_generate(code) != 0 || json_array_append_new(codes, json_string(code)) != 0)
            break;
        secret_token_hash_hex(code, hash);
        text_buffer_append_str(&text, i ? "," : "");
        text_buffer_append_str(&text, hash);
    }
    text_buffer_append_str(&text, "}");
    *hashes = text_buffer_take(&text, NULL);
    return *hashes && json_array_size(codes) == count ? 0 : -1;
}

static int store(db_t *db, const char *request_id, const survey_codes_t *ask, const char *hashes, db_error_t *error)
{
    const char *params[] = {request_id, ask->institution, ask->actor_id, hashes};
    return db_exec_ok(db,
        "WITH replaced AS (DELETE FROM survey_codes WHERE request_id = $1 AND used_at IS NULL) "
        "INSERT INTO survey_codes (code_hash, institution_code, issued_by, request_id) "
        "SELECT h, $2, $3, $1 FROM unnest($4::text[]) h", 4, params, error);
}

int survey_codes_issue(db_t *db, const char *request_id, const survey_codes_t *ask, char **json,
                       error_reply_t *refusal, db_error_t *error)
{
    *json = NULL;
    if (!is_admin(ask->actor_role))
        return error_reply_refuse(refusal, ERROR_FORBIDDEN, "survey codes are issued by admins");
    int rc = in_scope(db, ask, refusal, error);
    if (rc != 0)
        return rc;
    json_t *codes = json_array();
    char *hashes = NULL;
    if (!codes || make_codes(ask->count, codes, &hashes) != 0) {
        snprintf(error->message, sizeof error->message, "out of memory making survey codes");
        rc = -1;
    } else if ((rc = store(db, request_id, ask, hashes, error)) == 0) {
        json_t *doc = json_pack("{s:s, s:O}", "institution", ask->institution, "codes", codes);
        *json = doc ? json_dumps(doc, JSON_COMPACT) : NULL;
        json_decref(doc);
        rc = *json ? 0 : -1;
    }
    json_decref(codes);
    free(hashes);
    return rc;
}
