#include "category_commands.h"

#include "category_store.h"
#include "config_command_server.h"

static category_change_t change_of(const config_command_t *c)
{
    return (category_change_t) {c->code, c->parent, c->name, c->name_en, c->actor.role, c->actor.username};
}

static int list(db_t *db, const config_command_t *c, char **json, error_reply_t *refusal, db_error_t *error)
{
    (void) c;
    (void) refusal;
    return category_store_list(db, json, error);
}

static int add(db_t *db, const config_command_t *c, char **json, error_reply_t *refusal, db_error_t *error)
{
    category_change_t change = change_of(c);
    return category_store_add(db, &change, json, refusal, error);
}

static int rename_category(db_t *db, const config_command_t *c, char **json, error_reply_t *refusal,
                           db_error_t *error)
{
    category_change_t change = change_of(c);
    return category_store_rename(db, &change, json, refusal, error);
}

static int deactivate(db_t *db, const config_command_t *c, char **json, error_reply_t *refusal, db_error_t *error)
{
    category_change_t change = change_of(c);
    return category_store_deactivate(db, &change, json, refusal, error);
}

static int reactivate(db_t *db, const config_command_t *c, char **json, error_reply_t *refusal, db_error_t *error)
{
    category_change_t change = change_of(c);
    return category_store_reactivate(db, &change, json, refusal, error);
}

static const config_command_handler_t handlers[] = {
    {MSG_CATEGORY_LIST, list, false, true},   /* national data: institution admins read it */
    {MSG_CATEGORY_ADD, add, true, false},
    {MSG_CATEGORY_RENAME, rename_category, true, false},
    {MSG_CATEGORY_DEACTIVATE, deactivate, true, false},
    {MSG_CATEGORY_REACTIVATE, reactivate, true, false},
};

int category_commands_register(cmd_server_t *server, db_t *db)
{
    static config_command_server_t categories;   /* lives as long as the process's one server */
    categories = (config_command_server_t) {db, handlers, sizeof handlers / sizeof handlers[0],
                                            "categories are edited by national admins"};
    return config_command_server_register(server, &categories);
}
