#ifndef ADUAN_ROUTE_CONFIG_COMMANDS_H
#define ADUAN_ROUTE_CONFIG_COMMANDS_H

#include "cmd_server.h"
#include "db.h"

/* The reference data aduan-route owns, edited by national admins through the gateway
 * (config_command_codec.h): holiday.list/add/remove and routing_rule.list/add/remove. Each
 * change is one transaction with its event; others are refused as forbidden. */
int config_commands_register(cmd_server_t *server, db_t *db);

#endif
