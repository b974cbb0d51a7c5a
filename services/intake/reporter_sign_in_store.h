#ifndef ADUAN_INTAKE_REPORTER_SIGN_IN_STORE_H
#define ADUAN_INTAKE_REPORTER_SIGN_IN_STORE_H

#include <stdbool.h>

#include "db.h"
#include "reporter_code.h"
#include "secret_token.h"

/* The tables of "my reports" (reporter_codes, reporter_sessions; db/migrations/0022), with the
 * rules of reporter_code.h. Each call is one transaction of its own. */

/* What to send after a code was issued. */
typedef struct {
    bool deliver;                       /* a report has the contact */
    char address[REPORTER_ADDRESS_MAX + 1];   /* as the newest such report gave it */
    char language[3];
} reporter_code_delivery_t;

/* Issues `code` for the contact (every older live code of it dies) and says where it goes.
 * Purges codes dead for a day and expired sessions on the way. 0, or -1. */
int reporter_codes_issue(db_t *db, const unsigned char *secret, const char *contact_key, contact_kind_t kind,
                         const char *code, reporter_code_delivery_t *out, db_error_t *error);

/* Tries `code` against the contact's newest live code; on success opens a session (its token in
 * `session`, shown once). 0 signed in, 1 refused (no live code, wrong, expired, out of tries), -1. */
int reporter_codes_sign_in(db_t *db, const unsigned char *secret, const char *contact_key, const char *code,
                           char session[SECRET_TOKEN_LEN + 1], char expires_at[40], db_error_t *error);

/* The session's reports as the JSON document of reporter.reports. 0, 1 no such live session, -1. */
int reporter_sessions_reports(db_t *db, const char *session, char **json, db_error_t *error);

/* A new reporter token for one of the session's reports; the old token stops working. 0 (token in
 * `token`), 1 no live session, 2 not one of its reports, -1. */
int reporter_sessions_recover(db_t *db, const char *session, const char *tracking_id,
                              char token[SECRET_TOKEN_LEN + 1], db_error_t *error);

#endif
