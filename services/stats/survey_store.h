#ifndef ADUAN_SURVEY_STORE_H
#define ADUAN_SURVEY_STORE_H

#include "db.h"
#include "error_reply.h"

/* Answers to the satisfaction survey (table survey_responses, raw answers kept): the nine elements
 * U1..U9, each 1..4, or 0 when the respondent left it out. Each answer is stored with the id of
 * the request that brought it: the same request again (a resend after a lost reply) finds its
 * answer recorded and stores nothing. */
#define SURVEY_ELEMENTS 9

/* A reporter's answers about their closed report, once, with the reporter token; they count for
 * the institution that held the report. 0 stored (now or by this request before); 1 refused:
 * not_found (no report with this id and token), conflict (not closed) or answered (already);
 * -1 error. */
int survey_store_reporter(db_t *db, const char *request_id, const char *tracking_id, const char *reporter_token,
                          const int answers[SURVEY_ELEMENTS], error_reply_t *refusal, db_error_t *error);

/* A service user's answers about an active institution, with a one-time code it issued
 * (survey_codes.h): the code is used up in the statement that stores the answer. 0 stored (now or
 * by this request before); 1 refused: invalid, with the field error "code" for a code that is
 * unknown, used, of another institution, or of an inactive one (one answer for all, so the
 * refusal tells nothing about codes); -1 error. */
int survey_store_service_user(db_t *db, const char *request_id, const char *institution, const char *code,
                              const int answers[SURVEY_ELEMENTS], error_reply_t *refusal, db_error_t *error);

#endif
