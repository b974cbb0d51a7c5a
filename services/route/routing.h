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
 * Fills institution (malloc'd) and basis (static). 0, 1 when the report does not exist, -1 error. */
int routing_choose(db_t *db, const char *tracking_id, char **institution, const char **basis, db_error_t *error);

#endif
