#ifndef ADUAN_ROUTE_ROUTING_RULE_STORE_H
#define ADUAN_ROUTE_ROUTING_RULE_STORE_H

#include "db.h"
#include "error_reply.h"

/* All SQL that edits `routing_rules`, which aduan-route owns (routing.c reads them for every
 * verified report, in its transaction, so a change counts from the next report on). Every change
 * runs in the caller's transaction and appends its event. */

typedef struct {
    int64_t id;                                  /* removal */
    const char *category, *region, *institution; /* addition: category and/or region, institution */
    const char *actor_role, *actor;   /* the admin's role and username */
} routing_rule_change_t;

/* Every rule as JSON {"rules": [{id, category, region, institution}...]}, with names. */
int routing_rule_store_list(db_t *db, char **json, db_error_t *error);

/* Adds a rule: 0 with its JSON (also when the same rule exists: a resent command), 1 refused
 * (invalid: the field that names no active category, region or institution, neither category
 * nor region, or a rule for the same category and region sending elsewhere), -1 error. */
int routing_rule_store_add(db_t *db, const routing_rule_change_t *change, char **json, error_reply_t *refusal,
                           db_error_t *error);

/* Removes the rule: 0, 1 refused (not_found), -1 error. */
int routing_rule_store_remove(db_t *db, const routing_rule_change_t *change, error_reply_t *refusal,
                              db_error_t *error);

#endif
