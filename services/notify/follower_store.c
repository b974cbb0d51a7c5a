#include "follower_store.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A pending follow whose confirmation mail is older than this is gone. */
#define PENDING_DAYS "7"

#define PUBLIC_REPORT_SQL \
    "SELECT r.id, r.title FROM reports r JOIN report_statuses s ON s.status = r.status " \
    "WHERE r.tracking_id = $1 AND NOT r.confidential " \
    "  AND s.public_status IN ('not_yet_followed_up', 'in_process', 'completed')"

static void int_text(int64_t value, char out[24])
{
    snprintf(out, 24, "%lld", (long long) value);
}

void follower_store_unsubscribe_token(const unsigned char key[SECRET_SETTING_BYTES], int64_t follower_id,
                                      char out[FOLLOWER_UNSUBSCRIBE_TOKEN_LEN + 1])
{
    char message[64];
    unsigned char digest[crypto_auth_hmacsha256_BYTES];
    int n = snprintf(message, sizeof message, "follower-unsubscribe/%lld", (long long) follower_id);
    crypto_auth_hmacsha256_state state;
    crypto_auth_hmacsha256_init(&state, key, SECRET_SETTING_BYTES);
    crypto_auth_hmacsha256_update(&state, (const unsigned char *) message, (unsigned long long) n);
    crypto_auth_hmacsha256_final(&state, digest);
    sodium_bin2hex(out, FOLLOWER_UNSUBSCRIBE_TOKEN_LEN + 1, digest, sizeof digest);
}

void follower_ask_clear(follower_ask_t *ask)
{
    free(ask->title);
    memset(ask, 0, sizeof *ask);
}

/* The follow of (report, address), locked: 0 none, 1 found (*confirmed; *recent: asked minutes
 * ago), -1. */
static int existing(db_t *db, int64_t report_id, const char *email, int64_t *id, bool *confirmed, bool *recent,
                    db_error_t *error)
{
    char report[24], minutes[24];
    int_text(report_id, report);
    int_text(FOLLOWER_REASK_MINUTES, minutes);
    const char *params[] = {report, email, minutes};
    PGresult *r = db_exec(db, "SELECT id, confirmed_at IS NOT NULL, asked_at > now() - $3::int * interval '1 minute' "
                              "FROM report_followers WHERE report_id = $1::bigint AND email = $2 FOR UPDATE",
                          3, params, error);
    if (!r)
        return -1;
    int found = PQntuples(r) == 1;
    if (found) {
        *id = strtoll(PQgetvalue(r, 0, 0), NULL, 10);
        *confirmed = PQgetvalue(r, 0, 1)[0] == 't';
        *recent = PQgetvalue(r, 0, 2)[0] == 't';
    }
    PQclear(r);
    return found;
}

/* Confirmation mails asked for the address in the last hour; expired pending follows of it go first. */
static int asks_last_hour(db_t *db, const char *email, long *count, db_error_t *error)
{
    const char *params[] = {email};
    if (db_exec_ok(db, "DELETE FROM report_followers WHERE email = $1 AND confirmed_at IS NULL "
                       "AND asked_at < now() - interval '" PENDING_DAYS " days'", 1, params, error) != 0)
        return -1;
    PGresult *r = db_exec(db, "SELECT count(*) FROM report_followers WHERE email = $1 "
                              "AND asked_at > now() - interval '1 hour'", 1, params, error);
    if (!r)
        return -1;
    *count = strtol(PQgetvalue(r, 0, 0), NULL, 10);
    PQclear(r);
    return 0;
}

/* A new pending follow, or the existing one (id > 0) asked again, with a fresh confirmation token. */
static int write_pending(db_t *db, const unsigned char key[SECRET_SETTING_BYTES], int64_t id, const char *email,
                         const char *language, follower_ask_t *out, db_error_t *error)
{
    char confirm_hash[SECRET_TOKEN_HASH_HEX_LEN + 1], report[24], row[24];
    if (secret_token_generate(out->confirm_token) != 0) {
        snprintf(error->message, sizeof error->message, "no random bytes for a token");
        return -1;
    }
    secret_token_hash_hex(out->confirm_token, confirm_hash);
    int_text(out->report_id, report);
    if (id > 0) {
        int_text(id, row);
        const char *params[] = {row, confirm_hash, language};
        out->follower_id = id;
        return db_exec_ok(db, "UPDATE report_followers SET confirm_hash = $2, language = $3, asked_at = now() "
                              "WHERE id = $1::bigint", 3, params, error);
    }
    char *next = NULL;
    if (db_query_value(db, "SELECT nextval('report_followers_id_seq')", 0, NULL, &next, error) != 0)
        return -1;
    out->follower_id = next ? strtoll(next, NULL, 10) : 0;
    free(next);
    char unsubscribe[FOLLOWER_UNSUBSCRIBE_TOKEN_LEN + 1], unsubscribe_hash[SECRET_TOKEN_HASH_HEX_LEN + 1];
    follower_store_unsubscribe_token(key, out->follower_id, unsubscribe);
    secret_token_hash_hex(unsubscribe, unsubscribe_hash);
    int_text(out->follower_id, row);
    const char *params[] = {row, report, email, language, confirm_hash, unsubscribe_hash};
    PGresult *r = db_exec(db, "INSERT INTO report_followers (id, report_id, email, language, confirm_hash, "
                              "unsubscribe_hash) VALUES ($1::bigint, $2::bigint, $3, $4, $5, $6) "
                              "ON CONFLICT (report_id, email) DO NOTHING RETURNING id", 6, params, error);
    if (!r)
        return -1;
    if (PQntuples(r) == 0)   /* the same address asked at the same moment: that ask mails */
        out->confirm_token[0] = '\0';
    PQclear(r);
    return 0;
}

static int find_public_report(db_t *db, const char *tracking_id, follower_ask_t *out, db_error_t *error)
{
    const char *params[] = {tracking_id};
    PGresult *r = db_exec(db, PUBLIC_REPORT_SQL, 1, params, error);
    if (!r)
        return -1;
    int found = PQntuples(r) == 1;
    if (found) {
        out->report_id = strtoll(PQgetvalue(r, 0, 0), NULL, 10);
        out->title = db_value_dup(r, 0, 1);
    }
    PQclear(r);
    return found;
}

int follower_store_ask(db_t *db, const unsigned char key[SECRET_SETTING_BYTES], const char *tracking_id,
                       const char *email, const char *language, follower_ask_t *out, error_reply_t *refusal,
                       db_error_t *error)
{
    memset(out, 0, sizeof *out);
    int found = find_public_report(db, tracking_id, out, error);
    if (found <= 0)
        return found < 0 ? -1 : error_reply_refuse(refusal, ERROR_NOT_FOUND, "no public report has this tracking id");
    int64_t id = 0;
    bool confirmed = false, recent = false;
    long asks = 0;
    if ((found = existing(db, out->report_id, email, &id, &confirmed, &recent, error)) < 0)
        return -1;
    if (confirmed || recent)
        return 0;
    if (asks_last_hour(db, email, &asks, error) != 0)
        return -1;
    if (asks >= FOLLOWER_ASKS_PER_HOUR)
        return error_reply_refuse(refusal, ERROR_RATE_LIMITED, "too many follows asked for this address; try later");
    return write_pending(db, key, found ? id : 0, email, language, out, error);
}

/* One token statement returning the report's tracking id: 0 found, 1 not_found, -1. */
static int by_token(db_t *db, const char *sql, const char *token, char **tracking_id, error_reply_t *refusal,
                    db_error_t *error)
{
    char hash[SECRET_TOKEN_HASH_HEX_LEN + 1];
    secret_token_hash_hex(token, hash);
    const char *params[] = {hash};
    if (db_query_value(db, sql, 1, params, tracking_id, error) != 0)
        return -1;
    return *tracking_id ? 0 : error_reply_refuse(refusal, ERROR_NOT_FOUND, "this link is not valid (any more)");
}

int follower_store_confirm(db_t *db, const char *token, char **tracking_id, error_reply_t *refusal,
                           db_error_t *error)
{
    return by_token(db, "UPDATE report_followers f SET confirmed_at = COALESCE(f.confirmed_at, now()) "
                        "FROM reports r WHERE f.confirm_hash = $1 AND r.id = f.report_id "
                        "  AND (f.confirmed_at IS NOT NULL OR f.asked_at > now() - interval '" PENDING_DAYS " days') "
                        "RETURNING r.tracking_id", token, tracking_id, refusal, error);
}

int follower_store_unsubscribe(db_t *db, const char *token, char **tracking_id, error_reply_t *refusal,
                               db_error_t *error)
{
    return by_token(db, "DELETE FROM report_followers f USING reports r "
                        "WHERE f.unsubscribe_hash = $1 AND r.id = f.report_id RETURNING r.tracking_id",
                    token, tracking_id, refusal, error);
}

PGresult *follower_store_confirmed(db_t *db, int64_t report_id, db_error_t *error)
{
    char report[24];
    int_text(report_id, report);
    const char *params[] = {report};
    return db_exec(db, "SELECT id, email, language FROM report_followers "
                       "WHERE report_id = $1::bigint AND confirmed_at IS NOT NULL ORDER BY id", 1, params, error);
}
