#ifndef ADUAN_INTAKE_CATEGORY_COMMANDS_H
#define ADUAN_INTAKE_CATEGORY_COMMANDS_H

#include "cmd_server.h"
#include "db.h"

/* The categories aduan-intake owns, edited by national admins through the gateway
 * (config_command_codec.h): category.list/add/rename/deactivate/reactivate, each change one transaction
 * with its event. */
int category_commands_register(cmd_server_t *server, db_t *db);

#endif
