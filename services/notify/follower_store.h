#ifndef ADUAN_NOTIFY_FOLLOWER_STORE_H
#define ADUAN_NOTIFY_FOLLOWER_STORE_H

#include <stdint.h>

#include "db.h"
#include "error_reply.h"
#include "secret_setting.h"
#include "secret_token.h"

/* Followers of public reports (table report_followers; docs/api.md "Following a report"): double
 * opt-in by a confirmation mail, one follow per address and report, unsubscribing deletes the row.
 * Tokens are stored only as SHA-256. The unsubscribe token is derived from the row id under the
 * server's key (follower_store_unsubscribe_token), so each message can carry it while the table
 * holds only its hash. */

#define FOLLOWER_UNSUBSCRIBE_TOKEN_LEN 64
#define FOLLOWER_ASKS_PER_HOUR 5          /* confirmation mails to one address */
#define FOLLOWER_REASK_MINUTES 10         /* no second confirmation mail to one follow sooner */

void follower_store_unsubscribe_token(const unsigned char key[SECRET_SETTING_BYTES], int64_t follower_id,
                                      char out[FOLLOWER_UNSUBSCRIBE_TOKEN_LEN + 1]);

typedef struct {
    int64_t report_id, follower_id;
    char *title;                              /* of the report (malloc'd) */
    char confirm_token[SECRET_TOKEN_LEN + 1]; /* "" when no confirmation mail is due */
} follower_ask_t;

void follower_ask_clear(follower_ask_t *ask);

/* Asks that `email` (lower-case) follow the public report in `language`, in the caller's
 * transaction. 0 with out->confirm_token set when a confirmation mail is due (a new or renewed
 * pending follow), "" when not (already confirmed, or asked minutes ago); 1 refused: not_found (no
 * public report has this tracking id) or rate_limited (too many asks for the address); -1. */
int follower_store_ask(db_t *db, const unsigned char key[SECRET_SETTING_BYTES], const char *tracking_id,
                       const char *email, const char *language, follower_ask_t *out, error_reply_t *refusal,
                       db_error_t *error);

/* Confirms the follow of the confirmation token (again: still confirmed). 0 with the report's
 * tracking id, 1 not_found (unknown or expired token), -1. */
int follower_store_confirm(db_t *db, const char *token, char **tracking_id, error_reply_t *refusal,
                           db_error_t *error);

/* Ends the follow of the unsubscribe token. 0 with the report's tracking id, 1 not_found, -1. */
int follower_store_unsubscribe(db_t *db, const char *token, char **tracking_id, error_reply_t *refusal,
                               db_error_t *error);

/* Confirmed followers of a report: rows (id, email, language), or NULL with the error. */
PGresult *follower_store_confirmed(db_t *db, int64_t report_id, db_error_t *error);

#endif
