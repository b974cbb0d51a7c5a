#ifndef ADUAN_INTAKE_OPEN311_STORE_H
#define ADUAN_INTAKE_OPEN311_STORE_H
#include "db.h"
#include "open311_query_codec.h"

/* All SQL of the Open311 reads (docs/open311.md): each renders one JSON document in Open311 shape
 * (element names and order of the standard, datetimes in UTC with "Z"), privacy-filtered here as
 * the public tracking view is (report_privacy.h): no reporter's name or contact ever, and of a
 * confidential report no description, address, position or notes; a confidential report is never
 * found by position either. Each returns 0 with *json malloc'd, 1 when there is no such service
 * (definition), -1 on a database error. */

int open311_store_services(db_t *db, char **json, db_error_t *error);
int open311_store_definition(db_t *db, const char *service_code, char **json, db_error_t *error);
/* By ids, or by the filters; the default window is the last 90 days, newest first. */
int open311_store_requests(db_t *db, const open311_query_t *q, char **json, db_error_t *error);
/* Every public step of every report between q->start and q->end (the last 90 days by default). */
int open311_store_updates(db_t *db, const open311_query_t *q, char **json, db_error_t *error);
/* [{"update_id"}] of the action recorded under command id `request_id`; 1 when there is none. */
int open311_store_update_of(db_t *db, const char *request_id, char **json, db_error_t *error);

#endif
