#ifndef ADUAN_CONFIG_COMMAND_SERVER_H
#define ADUAN_CONFIG_COMMAND_SERVER_H

#include <stdbool.h>
#include <stddef.h>

#include "cmd_server.h"
#include "config_command_codec.h"
#include "db.h"
#include "error_reply.h"

/* How a service that owns reference data serves the admins' commands on it
 * (config_command_codec.h): national admins, and institution admins where a handler says so
 * (others: forbidden), each command one
 * transaction, the answer a staff.document (the JSON the handler made) or its refusal. */

/* One command's work inside its transaction: 0 with the answer in *json, 1 refused, -1 error. */
typedef int (config_command_fn)(db_t *db, const config_command_t *command, char **json, error_reply_t *refusal,
                                db_error_t *error);

typedef struct {
    const char *type;           /* MSG_* */
    config_command_fn *fn;
    bool changes;               /* logged when done */
    /* institution admins too: a read of national data, or a handler that keeps them to their
     * subtree itself (the actor's institution) */
    bool institution_admins;
} config_command_handler_t;

typedef struct {
    db_t *db;
    const config_command_handler_t *handlers;
    size_t count;
    const char *forbidden;      /* the detail of the refusal for other roles */
} config_command_server_t;

/* Registers every handler of *self (which outlives the server). 0, or -1. */
int config_command_server_register(cmd_server_t *server, config_command_server_t *self);

/* "{}": the answer of a removal, which the gateway turns into an empty 204 (rc passed through
 * unless 0). */
int config_command_done(int rc, char **json);

#endif
