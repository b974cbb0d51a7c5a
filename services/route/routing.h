#ifndef ADUAN_ROUTE_ROUTING_H
#define ADUAN_ROUTE_ROUTING_H

#include "db.h"

/* Where a verified report goes, in this order (DOMAIN.md, issue 4):
 *   1. "target"      — the institution the reporter (or the verifier) named, if it exists and is active;
 *   2. "rule"        — the most specific routing rule of category × region: an exact category
 *                      beats its group beats any, then a deeper region beats its ancestors
 *                      (a rule's region matches the report's region and all regions above it);
 *   3. "coordinator" — the coordinator institution of the nearest region (the report's or above);
 *   4. "national"    — the national desk.
 * A run of events is routed together: the choices of all its reports are read in one statement. */
typedef struct {
    PGresult *result;      /* tracking id, institution, basis, by tracking id (byte order); NULL before a
                            * choice and after clear */
} routing_run_t;

/* The choices for the reports of tracking_ids (an SQL text array literal). 0, or -1 with error. */
int routing_run_choose(db_t *db, const char *tracking_ids, routing_run_t *run, db_error_t *error);
/* A report's choice: institution borrowed from the run, basis static. 0, 1 when the report does
 * not exist (it was not among the choices), -1 for a basis this code does not know. */
int routing_run_find(const routing_run_t *run, const char *tracking_id, const char **institution, const char **basis);
void routing_run_clear(routing_run_t *run);

#endif
