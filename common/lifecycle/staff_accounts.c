#include "staff_accounts.h"

#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "message_types.h"
#include "report_lifecycle.h"
#include "staff_events.h"
#include "utf8_text.h"

void staff_accounts_copy_name(const char *name, char *out, size_t cap)
{
    /* A name of 200 characters may have 800 bytes: the buffer keeps whole characters only, or
     * every JSON or msgpack encoder downstream refuses the member. */
    size_t n = utf8_text_prefix(name, cap - 1);
    memcpy(out, name, n);
    out[n] = '\0';
}

void staff_accounts_check_password(const char *password, field_errors_t *errors)
{
    size_t n = password ? strlen(password) : 0;
    if (n < STAFF_PASSWORD_MIN || n > STAFF_PASSWORD_MAX)
        field_errors_add(errors, "password", "length", "a password has %d to %d bytes", STAFF_PASSWORD_MIN, STAFF_PASSWORD_MAX);
}

int staff_accounts_hash_password(const char *password, char hash[STAFF_PASSWORD_HASH_MAX])
{
    _Static_assert(STAFF_PASSWORD_HASH_MAX == crypto_pwhash_STRBYTES, "the argon2id string buffer");
    return crypto_pwhash_str_alg(hash, password, strlen(password), crypto_pwhash_OPSLIMIT_INTERACTIVE,
                                 crypto_pwhash_MEMLIMIT_INTERACTIVE, crypto_pwhash_ALG_ARGON2ID13) == 0 ? 0 : -1;
}

static void fill_member(const PGresult *r, int offset, staff_member_t *who)
{
    memset(who, 0, sizeof *who);
    who->id = strtoll(PQgetvalue(r, 0, offset), NULL, 10);
    snprintf(who->username, sizeof who->username, "%s", PQgetvalue(r, 0, offset + 1));
    staff_accounts_copy_name(PQgetvalue(r, 0, offset + 2), who->display_name, sizeof who->display_name);
    snprintf(who->role, sizeof who->role, "%s", PQgetvalue(r, 0, offset + 3));
    snprintf(who->institution, sizeof who->institution, "%s", PQgetvalue(r, 0, offset + 4));
}

static void check_account(const staff_account_t *a, field_errors_t *errors)
{
    staff_accounts_check_password(a->password, errors);
    if (!(lifecycle_role_bit(a->role) & ROLE_STAFF))
        field_errors_add(errors, "role", "unknown", "role is national_admin, institution_admin, unit_liaison or analyst");
    if (!a->username || !*a->username)
        field_errors_add(errors, "username", "required", "a username is required");
    if (!a->display_name || !*a->display_name)
        field_errors_add(errors, "display_name", "required", "a display name is required");
    if (!a->institution || !*a->institution)
        field_errors_add(errors, "institution", "required", "an institution is required");
    const char *at = a->email ? strchr(a->email, '@') : NULL;
    if (a->email && (!at || at == a->email || !at[1] || strchr(at + 1, '@') || strpbrk(a->email, " \t\r\n<>,;")
                     || strlen(a->email) > 254))
        field_errors_add(errors, "email", "invalid", "an e-mail address such as name@example.go.id");
    if (a->language && strcmp(a->language, "id") != 0 && strcmp(a->language, "en") != 0)
        field_errors_add(errors, "language", "invalid", "language is id or en");
}

/* 0 allowed, 1 not, -1 error. */
static int creator_may(db_t *db, const staff_account_t *a, const staff_member_t *creator, db_error_t *error)
{
    if (!creator || strcmp(creator->role, "national_admin") == 0)
        return 0;
    if (strcmp(creator->role, "institution_admin") != 0 || strcmp(a->role, "national_admin") == 0)
        return 1;
    const char *params[] = {a->institution, creator->institution};
    PGresult *r = db_exec(db, "SELECT institution_within($1, $2)", 2, params, error);
    if (!r)
        return -1;
    int rc = PQgetvalue(r, 0, 0)[0] == 't' ? 0 : 1;
    PQclear(r);
    return rc;
}

/* 0 stored, 1 refused by a constraint or a taken username (on refusal->fields), -1 error. */
static int insert_account(db_t *db, const staff_account_t *a, const char *hash, field_errors_t *fields,
                          db_error_t *error)
{
    const char *params[] = {a->username, a->display_name, a->role, a->institution, hash, a->email,
                            a->language ? a->language : "id"};
    PGresult *r = db_exec(db,
        "INSERT INTO staff (username, display_name, role, institution_code, password_hash, email, language) "
        "SELECT $1, $2, $3, $4, $5, $6, $7 WHERE EXISTS (SELECT 1 FROM institutions WHERE code = $4 AND active) "
        "ON CONFLICT (username) DO NOTHING RETURNING id", 7, params, error);
    if (!r) {
        if (strncmp(error->sqlstate, "23", 2) != 0)  /* constraint: a malformed username or a misplaced national admin */
            return -1;
        field_errors_add(fields, "username", "invalid", "%s", "username or role/institution combination refused");
        return 1;
    }
    if (PQntuples(r) == 0)
        field_errors_add(fields, "username", "taken_or_institution_unknown",
                         "the username is taken or institution '%s' does not exist", a->institution);
    PQclear(r);
    return fields->count ? 1 : 0;
}

typedef struct {
    const staff_account_t *account;
    const char *hash;
    const staff_member_t *creator;
    field_errors_t *fields;
} insert_t;

/* The account and its staff.created event commit together. */
static int insert_tx(db_t *db, void *ctx, db_error_t *error)
{
    const insert_t *in = ctx;
    int rc = insert_account(db, in->account, in->hash, in->fields, error);
    staff_change_t change = {.username = in->account->username, .role = in->account->role,
                             .institution = in->account->institution};
    if (rc == 0 && staff_events_append(db, EVENT_STAFF_CREATED, &change, in->creator ? in->creator->role : "system",
                                       in->creator ? in->creator->username : NULL, error) != 0)
        rc = -1;
    return rc;
}

int staff_accounts_create(db_t *db, const staff_account_t *a, const staff_member_t *creator, error_reply_t *refusal,
                          db_error_t *error)
{
    field_errors_t fields;
    field_errors_clear(&fields);
    check_account(a, &fields);
    if (fields.count)
        return error_reply_refuse_fields(refusal, "the account has invalid fields", &fields);
    int rc = creator_may(db, a, creator, error);
    if (rc < 0)
        return -1;
    if (rc > 0)
        return error_reply_refuse(refusal, ERROR_FORBIDDEN, "you may create accounts only below your institution");
    char hash[STAFF_PASSWORD_HASH_MAX];
    if (staff_accounts_hash_password(a->password, hash) != 0) {
        snprintf(error->message, sizeof error->message, "out of memory hashing the password");
        return -1;
    }
    insert_t insert = {a, hash, creator, &fields};
    rc = db_transaction(db, insert_tx, &insert, error);
    sodium_memzero(hash, sizeof hash);
    return rc == 1 ? error_reply_refuse_fields(refusal, "the account has invalid fields", &fields) : rc;
}

/* A hash of a random password, verified against when the user does not exist. */
static char decoy[crypto_pwhash_STRBYTES];
static pthread_once_t decoy_once = PTHREAD_ONCE_INIT;

static void make_decoy(void)
{
    char password[SECRET_TOKEN_LEN + 1];
    if (secret_token_generate(password) != 0
        || crypto_pwhash_str_alg(decoy, password, strlen(password), crypto_pwhash_OPSLIMIT_INTERACTIVE,
                                 crypto_pwhash_MEMLIMIT_INTERACTIVE, crypto_pwhash_ALG_ARGON2ID13) != 0)
        decoy[0] = '\0';  /* verification then fails at once: only the timing cover is lost */
}

int staff_accounts_login(db_t *db, const char *username, const char *password, long ttl_minutes,
                         char token[SECRET_TOKEN_LEN + 1], int64_t *expires_ms, staff_member_t *who, db_error_t *error)
{
    pthread_once(&decoy_once, make_decoy);
    const char *params[] = {username};
    PGresult *r = db_exec(db, "SELECT password_hash, id, username, display_name, role, institution_code "
                              "FROM staff WHERE username = $1 AND active", 1, params, error);
    if (!r)
        return -1;
    bool known = PQntuples(r) == 1;
    const char *hash = known ? PQgetvalue(r, 0, 0) : decoy;
    size_t n = strlen(password);
    bool ok = crypto_pwhash_str_verify(hash, password, n) == 0 && known;
    if (ok)
        fill_member(r, 1, who);
    PQclear(r);
    if (!ok)
        return 1;
    char hash_hex[SECRET_TOKEN_HASH_HEX_LEN + 1], id[24], ttl[24];
    if (secret_token_generate(token) != 0)
        return -1;
    secret_token_hash_hex(token, hash_hex);
    snprintf(id, sizeof id, "%lld", (long long) who->id);
    snprintf(ttl, sizeof ttl, "%ld", ttl_minutes);
    const char *insert[] = {hash_hex, id, ttl};
    r = db_exec(db, "INSERT INTO staff_sessions (token_hash, staff_id, expires_at) "
                    "VALUES ($1, $2, now() + make_interval(mins => $3::int)) "
                    "RETURNING (extract(epoch FROM expires_at) * 1000)::bigint", 3, insert, error);
    if (!r)
        return -1;
    *expires_ms = strtoll(PQgetvalue(r, 0, 0), NULL, 10);
    PQclear(r);
    return 0;
}

/* Runs a session statement ($1 the token's hash, $2 the idle minutes) that yields the member's row
 * while the session stands: 0 stands (*who filled when given), 1 not, -1 error. */
static int session_row(db_t *db, const char *sql, const char *token, long idle_minutes, staff_member_t *who,
                       db_error_t *error)
{
    char hash_hex[SECRET_TOKEN_HASH_HEX_LEN + 1], idle[24];
    secret_token_hash_hex(token, hash_hex);
    snprintf(idle, sizeof idle, "%ld", idle_minutes);
    const char *params[] = {hash_hex, idle};
    PGresult *r = db_exec(db, sql, 2, params, error);
    if (!r)
        return -1;
    int rc = PQntuples(r) == 1 ? 0 : 1;
    if (rc == 0 && who)
        fill_member(r, 0, who);
    PQclear(r);
    return rc;
}

int staff_accounts_session(db_t *db, const char *token, long idle_minutes, staff_member_t *who, db_error_t *error)
{
    return session_row(db, "WITH used AS (UPDATE staff_sessions x SET last_used_at = now() "
                           "  WHERE x.token_hash = $1 AND x.expires_at > now() "
                           "    AND x.last_used_at > now() - make_interval(mins => $2::int) RETURNING x.staff_id) "
                           "SELECT s.id, s.username, s.display_name, s.role, s.institution_code "
                           "FROM used JOIN staff s ON s.id = used.staff_id WHERE s.active",
                       token, idle_minutes, who, error);
}

int staff_accounts_session_stands(db_t *db, const char *token, long idle_minutes, db_error_t *error)
{
    return session_row(db, "SELECT s.id FROM staff_sessions x JOIN staff s ON s.id = x.staff_id "
                           "WHERE x.token_hash = $1 AND x.expires_at > now() "
                           "  AND x.last_used_at > now() - make_interval(mins => $2::int) AND s.active",
                       token, idle_minutes, NULL, error);
}

int staff_accounts_logout(db_t *db, const char *token, db_error_t *error)
{
    char hash_hex[SECRET_TOKEN_HASH_HEX_LEN + 1];
    secret_token_hash_hex(token, hash_hex);
    const char *params[] = {hash_hex};
    return db_exec_ok(db, "DELETE FROM staff_sessions WHERE token_hash = $1 OR expires_at < now() - interval '1 day'",
                      1, params, error);
}

int staff_accounts_logout_everywhere(db_t *db, int64_t staff_id, db_error_t *error)
{
    char id[24];
    snprintf(id, sizeof id, "%lld", (long long) staff_id);
    const char *params[] = {id};
    return db_exec_ok(db, "DELETE FROM staff_sessions WHERE staff_id = $1::bigint", 1, params, error);
}
