#ifndef ADUAN_SURVEY_CODES_H
#define ADUAN_SURVEY_CODES_H

#include "db.h"
#include "error_reply.h"
#include "stats_query_codec.h"

/* One-time survey codes (table survey_codes): an institution hands them to the people it served;
 * a service user's survey answer counts only with an unused code of that institution
 * (survey_store.h), so answers cannot be stuffed. Each code is a random token shown once and
 * stored as its SHA-256 (secret_token.h). */

/* Issues codes for an institution of the admin's subtree (a national admin: any active one), under
 * the command's request id: the same request again (a resend after a lost reply) replaces the
 * unused codes it issued before, so one request never leaves more than `count` codes behind.
 * 0 with {"institution", "codes": [...]} in *json; 1 refused: forbidden (not an admin, or outside
 * the subtree) or invalid (no active institution has the code); -1 error. */
int survey_codes_issue(db_t *db, const char *request_id, const survey_codes_t *ask, char **json,
                       error_reply_t *refusal, db_error_t *error);

#endif
