#ifndef ADUAN_NOTIFY_COMMANDS_H
#define ADUAN_NOTIFY_COMMANDS_H

#include "address_policy.h"
#include "cmd_server.h"
#include "db.h"

/* The commands aduan-notify answers for staff (notify_command_codec.h): webhooks, the inbox and
 * the delivery log, each for the actor the gateway authenticated, scoped by the stores. Role
 * checks happen here, where the tables are, not in the gateway. `db` must outlive the server and
 * be used by no other thread. */
#define NOTIFY_COMMAND_COUNT 7

/* What one registered command is handed by the server (filled by notify_commands_register). */
typedef struct {
    db_t *db;
    const address_policy_t *policy;
    size_t index;
} notify_binding_t;

typedef struct {
    db_t *db;
    const address_policy_t *policy;   /* where webhooks may point (address_policy.h) */
    notify_binding_t bindings[NOTIFY_COMMAND_COUNT];
} notify_commands_t;

int notify_commands_register(cmd_server_t *server, notify_commands_t *commands);

#endif
