#ifndef ADUAN_NOTIFY_TEMPLATE_COMMANDS_H
#define ADUAN_NOTIFY_TEMPLATE_COMMANDS_H

#include "cmd_server.h"
#include "db.h"

/* The notification templates aduan-notify owns, edited by national admins through the gateway
 * (config_command_codec.h): template.list, template.set (one transaction with its event) and
 * template.preview (rendered with sample values, nothing stored). */
int template_commands_register(cmd_server_t *server, db_t *db);

#endif
