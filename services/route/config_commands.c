#include "config_commands.h"

#include <stdbool.h>
#include <string.h>

#include "config_command_server.h"
#include "holiday_store.h"
#include "routing_rule_store.h"

static holiday_change_t holiday_of(const config_command_t *c)
{
    return (holiday_change_t) {c->day, c->name, c->kind, c->actor.role, c->actor.username};
}

/* config_command_server lets only national and institution admins through to the rules. */
static routing_rule_change_t rule_of(const config_command_t *c)
{
    bool national = strcmp(c->actor.role, "national_admin") == 0;
    return (routing_rule_change_t) {c->has_id ? c->id : 0, c->category, c->region, c->institution, c->actor.role,
                                    c->actor.username, national ? NULL : c->actor.institution};
}

static int list_holidays(db_t *db, const config_command_t *c, char **json, error_reply_t *refusal, db_error_t *error)
{
    (void) c;
    (void) refusal;
    return holiday_store_list(db, json, error);
}

static int add_holiday(db_t *db, const config_command_t *c, char **json, error_reply_t *refusal, db_error_t *error)
{
    holiday_change_t change = holiday_of(c);
    return holiday_store_add(db, &change, json, refusal, error);
}

static int remove_holiday(db_t *db, const config_command_t *c, char **json, error_reply_t *refusal, db_error_t *error)
{
    holiday_change_t change = holiday_of(c);
    return config_command_done(holiday_store_remove(db, &change, refusal, error), json);
}

static int list_rules(db_t *db, const config_command_t *c, char **json, error_reply_t *refusal, db_error_t *error)
{
    (void) refusal;
    routing_rule_change_t change = rule_of(c);
    return routing_rule_store_list(db, &change, json, error);
}

static int add_rule(db_t *db, const config_command_t *c, char **json, error_reply_t *refusal, db_error_t *error)
{
    routing_rule_change_t change = rule_of(c);
    return routing_rule_store_add(db, &change, json, refusal, error);
}

static int update_rule(db_t *db, const config_command_t *c, char **json, error_reply_t *refusal, db_error_t *error)
{
    routing_rule_change_t change = rule_of(c);
    return routing_rule_store_update(db, &change, json, refusal, error);
}

static int remove_rule(db_t *db, const config_command_t *c, char **json, error_reply_t *refusal, db_error_t *error)
{
    routing_rule_change_t change = rule_of(c);
    return config_command_done(routing_rule_store_remove(db, &change, refusal, error), json);
}

/* Holidays are national (DOMAIN.md): institution admins read them. The rules keep them to their
 * subtree (routing_rule_store.h). */
static const config_command_handler_t handlers[] = {
    {MSG_HOLIDAY_LIST, list_holidays, false, true},   {MSG_HOLIDAY_ADD, add_holiday, true, false},
    {MSG_HOLIDAY_REMOVE, remove_holiday, true, false}, {MSG_ROUTING_RULE_LIST, list_rules, false, true},
    {MSG_ROUTING_RULE_ADD, add_rule, true, true},     {MSG_ROUTING_RULE_UPDATE, update_rule, true, true},
    {MSG_ROUTING_RULE_REMOVE, remove_rule, true, true},
};

int config_commands_register(cmd_server_t *server, db_t *db)
{
    static config_command_server_t route_config;   /* lives as long as the process's one server */
    route_config = (config_command_server_t) {db, handlers, sizeof handlers / sizeof handlers[0],
                                              "holidays are edited by national admins, routing rules by admins"};
    return config_command_server_register(server, &route_config);
}
