#ifndef ADUAN_ROUTE_ROUTING_RULE_STORE_H
#define ADUAN_ROUTE_ROUTING_RULE_STORE_H

#include "db.h"
#include "error_reply.h"

/* All SQL that edits `routing_rules`, which aduan-route owns (routing.c reads them for every
 * verified report, in its transaction, so a change counts from the next report on). Every change
 * runs in the caller's transaction and appends its event. */

typedef struct {
    int64_t id;                                  /* removal, change */
    const char *category, *region, *institution; /* addition: category and/or region, institution */
    const char *actor_role, *actor;   /* the admin's role and username */
    /* NULL: a national admin's, every rule. Else the institution of an institution admin, who
     * manages only the rules whose institution lies in its subtree, for regions within its
     * institution's region (a rule without a region would take reports from the whole country). */
    const char *subtree;
} routing_rule_change_t;

/* The rules (of change->subtree) as JSON {"rules": [{id, category, region, institution}...]},
 * with names. */
int routing_rule_store_list(db_t *db, const routing_rule_change_t *change, char **json, db_error_t *error);

/* Adds a rule: 0 with its JSON (also when the same rule exists: a resent command), 1 refused
 * (invalid: the field that names no active category, region or institution, neither category
 * nor region, or a rule for the same category and region sending elsewhere), -1 error. */
int routing_rule_store_add(db_t *db, const routing_rule_change_t *change, char **json, error_reply_t *refusal,
                           db_error_t *error);

/* Sends the rule's reports to change->institution instead (category and region are the rule's
 * key: another pair is another rule): 0 with its JSON, 1 refused (not_found, forbidden outside the
 * subtree, invalid institution), -1 error. Changing nothing appends nothing. */
int routing_rule_store_update(db_t *db, const routing_rule_change_t *change, char **json, error_reply_t *refusal,
                              db_error_t *error);

/* Removes the rule: 0, 1 refused (not_found, forbidden outside the subtree), -1 error. */
int routing_rule_store_remove(db_t *db, const routing_rule_change_t *change, error_reply_t *refusal,
                              db_error_t *error);

#endif
