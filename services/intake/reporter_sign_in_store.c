#include "reporter_sign_in_store.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "stringify.h"

/* The reports of contact key $1: the same expressions as the indexes of migration 0022. */
#define CONTACT_MATCHES \
    "((r.reporter_email IS NOT NULL AND reporter_contact_key_email(r.reporter_email) = $1) " \
    "OR (r.reporter_phone IS NOT NULL AND reporter_contact_key_phone(r.reporter_phone) = $1))"

typedef struct {
    const unsigned char *secret;
    const char *contact_key, *code;
    contact_kind_t kind;
    reporter_code_delivery_t *out;
} issue_tx_t;

static int purge(db_t *db, db_error_t *error)
{
    return db_exec_ok(db, "DELETE FROM reporter_codes WHERE created_at < now() - interval '1 day'", 0, NULL, error)
           || db_exec_ok(db, "DELETE FROM reporter_sessions WHERE expires_at < now()", 0, NULL, error) ? -1 : 0;
}

/* Where the code goes: the contact as the newest report with it gave it, in that report's language. */
static int destination(db_t *db, const issue_tx_t *tx, db_error_t *error)
{
    const char *params[] = {tx->contact_key};
    PGresult *r = db_exec(db, tx->kind == CONTACT_EMAIL
                                  ? "SELECT r.reporter_email, r.language FROM reports r WHERE " CONTACT_MATCHES
                                    " ORDER BY r.submitted_at DESC, r.id DESC LIMIT 1"
                                  : "SELECT r.reporter_phone, r.language FROM reports r WHERE " CONTACT_MATCHES
                                    " ORDER BY r.submitted_at DESC, r.id DESC LIMIT 1",
                          1, params, error);
    if (!r)
        return -1;
    tx->out->deliver = PQntuples(r) == 1;
    if (tx->out->deliver) {
        snprintf(tx->out->address, sizeof tx->out->address, "%s", PQgetvalue(r, 0, 0));
        snprintf(tx->out->language, sizeof tx->out->language, "%s", PQgetvalue(r, 0, 1));
    }
    PQclear(r);
    return 0;
}

static int issue_tx(db_t *db, void *ctx, db_error_t *error)
{
    issue_tx_t *tx = ctx;
    char hash[REPORTER_CODE_HASH_HEX_LEN + 1];
    reporter_code_hash(tx->secret, tx->contact_key, tx->code, hash);
    const char *params[] = {tx->contact_key, hash};
    if (db_exec_ok(db, "UPDATE reporter_codes SET dead_at = now() WHERE contact_key = $1 AND dead_at IS NULL",
                   1, params, error) != 0
        || db_exec_ok(db, "INSERT INTO reporter_codes (contact_key, code_hash, expires_at) "
                          "VALUES ($1, $2, now() + interval '" STRINGIFY(REPORTER_CODE_TTL_SECONDS) " seconds')",
                      2, params, error) != 0)
        return -1;
    return destination(db, tx, error) != 0 || purge(db, error) != 0 ? -1 : 0;
}

int reporter_codes_issue(db_t *db, const unsigned char *secret, const char *contact_key, contact_kind_t kind,
                         const char *code, reporter_code_delivery_t *out, db_error_t *error)
{
    memset(out, 0, sizeof *out);
    issue_tx_t tx = {secret, contact_key, code, kind, out};
    return db_transaction(db, issue_tx, &tx, error);
}

typedef struct {
    const unsigned char *secret;
    const char *contact_key, *code;
    char *session, *expires_at;
    bool signed_in;
} sign_in_tx_t;

static int open_session(db_t *db, sign_in_tx_t *tx, db_error_t *error)
{
    if (secret_token_generate(tx->session) != 0) {
        snprintf(error->message, sizeof error->message, "no random bytes for a session");
        return -1;
    }
    char hash[SECRET_TOKEN_HASH_HEX_LEN + 1];
    secret_token_hash_hex(tx->session, hash);
    const char *params[] = {hash, tx->contact_key};
    PGresult *r = db_exec(db, "INSERT INTO reporter_sessions (token_hash, contact_key, expires_at) "
                              "VALUES ($1, $2, now() + interval '" STRINGIFY(REPORTER_SESSION_TTL_SECONDS) " seconds') "
                              "RETURNING iso_utc(expires_at)", 2, params, error);
    if (!r)
        return -1;
    snprintf(tx->expires_at, 40, "%s", PQgetvalue(r, 0, 0));
    PQclear(r);
    tx->signed_in = true;
    return 0;
}

/* Counts the try on the code row `id` and kills it when the verdict says so. */
static int record_try(db_t *db, const char *id, reporter_code_verdict_t verdict, db_error_t *error)
{
    const char *params[] = {id};
    switch (verdict) {
    case CODE_WRONG:
        return db_exec_ok(db, "UPDATE reporter_codes SET attempts = attempts + 1 WHERE id = $1::bigint", 1, params,
                          error);
    case CODE_WRONG_LAST:
        return db_exec_ok(db, "UPDATE reporter_codes SET attempts = attempts + 1, dead_at = now() "
                              "WHERE id = $1::bigint", 1, params, error);
    case CODE_ACCEPTED:
    case CODE_DEAD:
        break;
    }
    return db_exec_ok(db, "UPDATE reporter_codes SET dead_at = now() WHERE id = $1::bigint", 1, params, error);
}

static int sign_in_tx(db_t *db, void *ctx, db_error_t *error)
{
    sign_in_tx_t *tx = ctx;
    tx->signed_in = false;
    const char *params[] = {tx->contact_key};
    PGresult *r = db_exec(db, "SELECT id, expires_at <= now(), attempts, code_hash FROM reporter_codes "
                              "WHERE contact_key = $1 AND dead_at IS NULL ORDER BY id DESC LIMIT 1 FOR UPDATE",
                          1, params, error);
    if (!r)
        return -1;
    if (PQntuples(r) != 1) {
        PQclear(r);
        return 0;
    }
    char hash[REPORTER_CODE_HASH_HEX_LEN + 1];
    reporter_code_hash(tx->secret, tx->contact_key, tx->code, hash);
    reporter_code_try_t state = {PQgetvalue(r, 0, 1)[0] == 't', atoi(PQgetvalue(r, 0, 2)),
                                 sodium_memcmp(hash, PQgetvalue(r, 0, 3), REPORTER_CODE_HASH_HEX_LEN) == 0};
    reporter_code_verdict_t verdict = reporter_code_judge(&state);
    int rc = record_try(db, PQgetvalue(r, 0, 0), verdict, error);
    PQclear(r);
    return rc == 0 && verdict == CODE_ACCEPTED ? open_session(db, tx, error) : rc;
}

int reporter_codes_sign_in(db_t *db, const unsigned char *secret, const char *contact_key, const char *code,
                           char session[SECRET_TOKEN_LEN + 1], char expires_at[40], db_error_t *error)
{
    sign_in_tx_t tx = {secret, contact_key, code, session, expires_at, false};
    if (db_transaction(db, sign_in_tx, &tx, error) != 0)
        return -1;
    return tx.signed_in ? 0 : 1;
}

/* The contact key of a live session into `key`; 0, 1 none, -1. */
static int session_contact(db_t *db, const char *session, char key[REPORTER_CONTACT_KEY_MAX + 1], db_error_t *error)
{
    char hash[SECRET_TOKEN_HASH_HEX_LEN + 1];
    secret_token_hash_hex(session, hash);
    const char *params[] = {hash};
    PGresult *r = db_exec(db, "SELECT contact_key FROM reporter_sessions WHERE token_hash = $1 AND expires_at > now()",
                          1, params, error);
    if (!r)
        return -1;
    int rc = PQntuples(r) == 1 ? 0 : 1;
    if (rc == 0)
        snprintf(key, REPORTER_CONTACT_KEY_MAX + 1, "%s", PQgetvalue(r, 0, 0));
    PQclear(r);
    return rc;
}

int reporter_sessions_reports(db_t *db, const char *session, char **json, db_error_t *error)
{
    char key[REPORTER_CONTACT_KEY_MAX + 1];
    int found = session_contact(db, session, key, error);
    if (found != 0)
        return found;
    const char *params[] = {key};
    PGresult *r = db_exec(db,
        "SELECT json_build_object('items', COALESCE(json_agg(json_build_object('tracking_id', x.tracking_id, "
        "  'title', x.title, 'status', x.status, 'public_status', x.public_status, 'anonymous', x.anonymous, "
        "  'confidential', x.confidential, 'submitted_at', iso_utc(x.submitted_at)) "
        "  ORDER BY x.submitted_at DESC, x.id DESC), '[]'))::text "
        "FROM (SELECT r.id, r.tracking_id, r.title, r.status, s.public_status, r.anonymous, r.confidential, "
        "      r.submitted_at FROM reports r JOIN report_statuses s ON s.status = r.status "
        "      WHERE " CONTACT_MATCHES ") x", 1, params, error);
    if (!r)
        return -1;
    *json = strdup(PQgetvalue(r, 0, 0));
    PQclear(r);
    if (!*json) {
        snprintf(error->message, sizeof error->message, "out of memory");
        return -1;
    }
    return 0;
}

int reporter_sessions_recover(db_t *db, const char *session, const char *tracking_id,
                              char token[SECRET_TOKEN_LEN + 1], db_error_t *error)
{
    char key[REPORTER_CONTACT_KEY_MAX + 1];
    int found = session_contact(db, session, key, error);
    if (found != 0)
        return found;
    if (secret_token_generate(token) != 0) {
        snprintf(error->message, sizeof error->message, "no random bytes for a token");
        return -1;
    }
    char hash[SECRET_TOKEN_HASH_HEX_LEN + 1];
    secret_token_hash_hex(token, hash);
    const char *params[] = {key, tracking_id, hash};
    PGresult *r = db_exec(db, "UPDATE reports r SET reporter_token_hash = $3 WHERE r.tracking_id = $2 AND "
                              CONTACT_MATCHES, 3, params, error);
    if (!r)
        return -1;
    int rc = strcmp(PQcmdTuples(r), "1") == 0 ? 0 : 2;
    PQclear(r);
    return rc;
}
