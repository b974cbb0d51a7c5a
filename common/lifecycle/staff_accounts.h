#ifndef ADUAN_STAFF_ACCOUNTS_H
#define ADUAN_STAFF_ACCOUNTS_H

#include <stddef.h>
#include <stdint.h>

#include "db.h"
#include "error_reply.h"
#include "field_errors.h"
#include "secret_token.h"

/* Staff accounts and their sessions (tables staff, staff_sessions). Passwords are hashed with
 * argon2id (libsodium, interactive limits); a session is a random token shown once, stored as its
 * SHA-256, valid until it expires or its owner signs out. */

#define STAFF_PASSWORD_MIN 10
#define STAFF_PASSWORD_MAX 256
#define STAFF_PASSWORD_HASH_MAX 128   /* crypto_pwhash_STRBYTES */

typedef struct {
    int64_t id;
    char username[65];
    char display_name[201];
    char role[32];
    char institution[33];
} staff_member_t;

typedef struct {
    const char *username, *display_name, *role, *institution, *password;
    const char *email;      /* optional: where aduan-notify sends e-mail for this member */
    const char *language;   /* optional: id (default) or en, for notifications */
} staff_account_t;

/* Creates an account, with its staff.created event (staff_events.h; actor "system" without a
 * creator) in the same transaction. When `creator` is given, the creator must be an admin whose subtree holds
 * the new account's institution, and only a national admin creates national admins.
 * 0 created; 1 refused, with *refusal: invalid (its fields; a taken username is an error on
 * "username") or forbidden for the creator; -1 on a database error. */
int staff_accounts_create(db_t *db, const staff_account_t *account, const staff_member_t *creator,
                          error_reply_t *refusal, db_error_t *error);

/* Checks the password and opens a session of ttl_minutes. The same work is done for unknown
 * users, so timing does not tell which usernames exist. 0 signed in (token, *expires_ms, *who),
 * 1 wrong username or password or inactive account, -1 error. */
int staff_accounts_login(db_t *db, const char *username, const char *password, long ttl_minutes,
                         char token[SECRET_TOKEN_LEN + 1], int64_t *expires_ms, staff_member_t *who,
                         db_error_t *error);

/* The member a session token belongs to, when the session has not expired, was used within the
 * last idle_minutes and its account is active; the use moves the idle limit on (sliding).
 * 0 found, 1 unknown, expired, idle too long or deactivated, -1 error. */
int staff_accounts_session(db_t *db, const char *token, long idle_minutes, staff_member_t *who, db_error_t *error);

/* Whether the session still stands (not expired, used within idle_minutes, account active)
 * without counting this as a use: a live stream left open is not a member at work.
 * 0 stands, 1 no longer, -1 error. */
int staff_accounts_session_stands(db_t *db, const char *token, long idle_minutes, db_error_t *error);

/* Ends a session (and removes expired ones). 0 on success. */
int staff_accounts_logout(db_t *db, const char *token, db_error_t *error);

/* Ends every session of the member ("sign out everywhere"). 0 on success. */
int staff_accounts_logout_everywhere(db_t *db, int64_t staff_id, db_error_t *error);

/* Adds a field error on "password" unless it has STAFF_PASSWORD_MIN..MAX bytes. */
void staff_accounts_check_password(const char *password, field_errors_t *errors);

/* The argon2id string of a password (an interactive-cost run). 0, or -1 out of memory. */
int staff_accounts_hash_password(const char *password, char hash[STAFF_PASSWORD_HASH_MAX]);

/* As much of a display name as fits in cap - 1 bytes, in whole UTF-8 characters. */
void staff_accounts_copy_name(const char *name, char *out, size_t cap);

#endif
