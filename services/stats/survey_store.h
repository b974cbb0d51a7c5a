#ifndef ADUAN_SURVEY_STORE_H
#define ADUAN_SURVEY_STORE_H

#include "db.h"

/* Answers to the satisfaction survey (table survey_responses, raw answers kept): the nine elements
 * U1..U9, each 1..4, or 0 when the respondent left it out. Each answer is stored with the id of
 * the request that brought it: the same request again (a resend after a lost reply) finds its
 * answer recorded and stores nothing. */
#define SURVEY_ELEMENTS 9

/* A reporter's answers about their closed report, once, with the reporter token; they count for
 * the institution that held the report. 0 stored (now or by this request before), 1 no report
 * with this id and token, 2 the report is not closed, 3 answered already, -1 error. */
int survey_store_reporter(db_t *db, const char *request_id, const char *tracking_id, const char *reporter_token,
                          const int answers[SURVEY_ELEMENTS], db_error_t *error);

/* A service user's answers about an institution. 0 stored (now or by this request before), 1 no
 * active institution has this code, -1 error. */
int survey_store_service_user(db_t *db, const char *request_id, const char *institution,
                              const int answers[SURVEY_ELEMENTS], db_error_t *error);

#endif
