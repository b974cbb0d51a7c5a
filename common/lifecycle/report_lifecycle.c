#include "report_lifecycle.h"

#include <string.h>

#include "message_types.h"

#define DESK_ROLES ROLE_ADMINS
#define HANDLING_ROLES (ROLE_ADMINS | ROLE_UNIT_LIAISON)

static const lifecycle_rule_t rules[] = {
    /* the verification desk (aduan-verify) */
    {"verify", "verify", DESK_ROLES, SCOPE_DESK, {LIFECYCLE_STATUS_WAITING}, "verified", EVENT_REPORT_VERIFIED,
     NULL, false, false, false, {"verification"}, {0}, {0}},
    {"not_our_authority", "verify", DESK_ROLES, SCOPE_DESK, {LIFECYCLE_STATUS_WAITING}, "verified", EVENT_REPORT_VERIFIED,
     "not_our_authority", true, false, false, {"verification"}, {0}, {0}},
    {"postpone", "verify", DESK_ROLES, SCOPE_DESK, {LIFECYCLE_STATUS_WAITING}, "postponed", EVENT_REPORT_POSTPONED,
     "postpone", true, true, false, {0}, {"verification"}, {0}},
    {"archive", "verify", DESK_ROLES, SCOPE_DESK, {LIFECYCLE_STATUS_WAITING, "postponed"}, "archived", EVENT_REPORT_ARCHIVED,
     "archive", true, false, false, {"verification"}, {0}, {0}},
    {"link_duplicate", "verify", DESK_ROLES, SCOPE_DESK, {LIFECYCLE_STATUS_WAITING, "postponed"}, "archived",
     EVENT_REPORT_ARCHIVED, NULL, false, false, false, {"verification"}, {0}, {0}},
    /* the reporter (aduan-intake, with the reporter token) */
    {"add_data", "intake", ROLE_REPORTER, SCOPE_NONE, {"postponed"}, LIFECYCLE_STATUS_WAITING, EVENT_REPORT_DATA_ADDED,
     NULL, false, true, false, {0}, {0}, {"verification"}},
    {"reply", "intake", ROLE_REPORTER, SCOPE_NONE, {"in_process"}, "reporter_replied", EVENT_REPORTER_REPLIED,
     NULL, false, true, false, {0}, {"reporter_reply"}, {"follow_up"}},
    /* routing and handling (aduan-route) */
    {"route", "route", ROLE_SYSTEM, SCOPE_NONE, {"verified"}, "dispatched", EVENT_REPORT_DISPATCHED,
     NULL, false, false, true, {0}, {0}, {"follow_up", "resolution"}},
    {"dispatch", "route", ROLE_ADMINS, SCOPE_HOLDER, {"dispatched", "transferred"}, "dispatched", EVENT_REPORT_DISPATCHED,
     NULL, false, false, true, {0}, {0}, {0}},
    {"transfer", "route", ROLE_ADMINS, SCOPE_HOLDER, {"dispatched", "transferred", "in_process", "reporter_replied"},
     "transferred", EVENT_REPORT_TRANSFERRED, "transfer", true, false, true, {0}, {"reporter_reply"},
     {"follow_up", "resolution"}},
    {"follow_up", "route", HANDLING_ROLES, SCOPE_HOLDER, {"dispatched", "transferred", "in_process", "reporter_replied"},
     "in_process", EVENT_REPORT_FOLLOWED_UP, NULL, false, true, false, {"follow_up"}, {0}, {"reporter_reply"}},
    {"close", "route", ROLE_ADMINS, SCOPE_HOLDER, {"in_process", "reporter_replied"}, "closed_by_admin",
     EVENT_REPORT_CLOSED, "close", false, false, false, {"resolution"}, {"follow_up", "reporter_reply"}, {0}},
    {"auto_close", "route", ROLE_SYSTEM, SCOPE_NONE, {"in_process"}, "closed_by_system", EVENT_REPORT_CLOSED,
     NULL, false, false, false, {"resolution"}, {"follow_up", "reporter_reply"}, {0}},
    {"reopen", "route", ROLE_ADMINS, SCOPE_HOLDER, {"closed_by_admin", "closed_by_system"}, "in_process",
     EVENT_REPORT_REOPENED, "reopen", true, false, false, {0}, {0}, {"follow_up", "resolution"}},
    /* an upstream Open311 server holds the report (federation, aduan-federate): what it says, mirrored */
    {"upstream_follow_up", "federate", ROLE_SYSTEM, SCOPE_NONE, {"dispatched", "transferred", "in_process", "reporter_replied"},
     "in_process", EVENT_REPORT_FOLLOWED_UP, NULL, false, true, false, {"follow_up"}, {0}, {"reporter_reply"}},
    {"upstream_close", "federate", ROLE_SYSTEM, SCOPE_NONE, {"dispatched", "transferred", "in_process", "reporter_replied"},
     "closed_by_admin", EVENT_REPORT_CLOSED, NULL, false, false, false, {"resolution"}, {"follow_up", "reporter_reply"}, {0}},
    /* staff among themselves: the status stays (to NULL), the note is for staff in scope only */
    {"internal_note", "route", HANDLING_ROLES, SCOPE_HOLDER,
     {"dispatched", "transferred", "in_process", "reporter_replied", "closed_by_admin", "closed_by_system"},
     NULL, EVENT_REPORT_NOTE_ADDED, NULL, false, true, false, {0}, {0}, {0}},
    {"assign", "route", HANDLING_ROLES, SCOPE_HOLDER, {"dispatched", "transferred", "in_process", "reporter_replied"},
     NULL, EVENT_REPORT_ASSIGNED, NULL, false, false, false, {0}, {0}, {0}},
};

bool lifecycle_internal(const lifecycle_rule_t *rule)
{
    return rule && (strcmp(rule->event_type, EVENT_REPORT_NOTE_ADDED) == 0
                    || strcmp(rule->event_type, EVENT_REPORT_ASSIGNED) == 0);
}

const lifecycle_rule_t *lifecycle_rule(const char *action)
{
    for (size_t i = 0; action && i < sizeof rules / sizeof rules[0]; i++)
        if (strcmp(rules[i].action, action) == 0)
            return &rules[i];
    return NULL;
}

const lifecycle_rule_t *lifecycle_rules(int *count)
{
    *count = (int) (sizeof rules / sizeof rules[0]);
    return rules;
}

bool lifecycle_allowed_from(const lifecycle_rule_t *rule, const char *status)
{
    for (int i = 0; status && rule->from[i]; i++)
        if (strcmp(rule->from[i], status) == 0)
            return true;
    return false;
}

bool lifecycle_privacy_settled(const char *status)
{
    if (!status)
        return false;
    for (size_t i = 0; i < sizeof rules / sizeof rules[0]; i++)
        if (strcmp(rules[i].service, "verify") == 0 && lifecycle_allowed_from(&rules[i], status))
            return false;
    return true;
}

unsigned lifecycle_role_bit(const char *role)
{
    static const struct { const char *name; lifecycle_role_t bit; } roles[] = {
        {"reporter", ROLE_REPORTER}, {"system", ROLE_SYSTEM}, {"national_admin", ROLE_NATIONAL_ADMIN},
        {"institution_admin", ROLE_INSTITUTION_ADMIN}, {"unit_liaison", ROLE_UNIT_LIAISON}, {"analyst", ROLE_ANALYST},
    };
    for (size_t i = 0; role && i < sizeof roles / sizeof roles[0]; i++)
        if (strcmp(roles[i].name, role) == 0)
            return roles[i].bit;
    return 0;
}
