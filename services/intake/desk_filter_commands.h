#ifndef ADUAN_INTAKE_DESK_FILTER_COMMANDS_H
#define ADUAN_INTAKE_DESK_FILTER_COMMANDS_H
#include "cmd_server.h"
#include "intake_commands.h"

/* desk_filter.list / .save / .delete (desk_filter_codec.h) from the gateway, for the member its
 * session check found: a staff member's saved desk filters (desk_filter_store.h). */
int desk_filter_commands_register(cmd_server_t *server, intake_t *intake);

#endif
