#ifndef ADUAN_REPORT_LIFECYCLE_H
#define ADUAN_REPORT_LIFECYCLE_H

#include <stdbool.h>

/* The state machine of a report (DOMAIN.md "Lifecycle"), as one table: which action is allowed
 * from which status, to which status it leads, who may take it, which service carries it out,
 * what it must say, and which deadline clocks it ends or starts. Everything that applies an
 * action (lifecycle_store.c) and everything that offers one (the gateway) reads this table, so
 * there is exactly one answer to "may this happen now?". The public bucket of each status is data
 * (table report_statuses), read where reports are read. */

#define LIFECYCLE_STATUS_WAITING "waiting_verification"

/* Who acts. Reporters act through their token; "system" is the services themselves. */
typedef enum {
    ROLE_REPORTER = 1 << 0,
    ROLE_SYSTEM = 1 << 1,
    ROLE_NATIONAL_ADMIN = 1 << 2,
    ROLE_INSTITUTION_ADMIN = 1 << 3,
    ROLE_UNIT_LIAISON = 1 << 4,
    ROLE_ANALYST = 1 << 5,
} lifecycle_role_t;

#define ROLE_ADMINS (ROLE_NATIONAL_ADMIN | ROLE_INSTITUTION_ADMIN)
#define ROLE_STAFF (ROLE_ADMINS | ROLE_UNIT_LIAISON | ROLE_ANALYST)

/* Whose reports an actor may act on. */
typedef enum {
    SCOPE_NONE,      /* reporter (token) and system */
    SCOPE_DESK,      /* reports addressed to the actor's subtree (national admin: all) */
    SCOPE_HOLDER,    /* reports held by an institution in the actor's subtree */
} lifecycle_scope_t;

#define LIFECYCLE_MAX_FROM 6
#define LIFECYCLE_MAX_CLOCKS 3

typedef struct {
    const char *action;
    const char *service;                      /* "intake", "verify", "route" or "federate" */
    unsigned roles;                           /* lifecycle_role_t bits */
    lifecycle_scope_t scope;
    const char *from[LIFECYCLE_MAX_FROM + 1]; /* NULL-terminated */
    const char *to;                           /* NULL: the status stays as it is */
    const char *event_type;
    const char *reason_action;                /* reason_codes.action; NULL = no reason taken */
    bool reason_required;
    bool note_required;
    bool institution_required;
    const char *meet[LIFECYCLE_MAX_CLOCKS + 1];    /* clocks ended as met */
    const char *cancel[LIFECYCLE_MAX_CLOCKS + 1];  /* clocks ended as cancelled */
    const char *open[LIFECYCLE_MAX_CLOCKS + 1];    /* clocks (re)started */
} lifecycle_rule_t;

/* The rule of an action, or NULL when there is no such action. */
const lifecycle_rule_t *lifecycle_rule(const char *action);

/* All rules, for documentation and tests. */
const lifecycle_rule_t *lifecycle_rules(int *count);

bool lifecycle_allowed_from(const lifecycle_rule_t *rule, const char *status);

/* Whether a report in this status keeps its privacy for good: anonymous and confidential can be
 * set only at the verification desk, so once no desk action (service "verify") is open to the
 * report, what it shows can no longer be hidden afterwards. Events and messages carry the
 * report's content only from then on (docs/event-stream.md "Privacy"). */
bool lifecycle_privacy_settled(const char *status);

/* Whether the action is staff-internal (an internal note, an assignment): its step and note are
 * never in the public view, in a notification or in the event stream, only in the staff's views of
 * reports in scope. */
bool lifecycle_internal(const lifecycle_rule_t *rule);

/* The bit of a role name, 0 when unknown. */
unsigned lifecycle_role_bit(const char *role);

#endif
