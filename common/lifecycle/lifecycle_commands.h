#ifndef ADUAN_LIFECYCLE_COMMANDS_H
#define ADUAN_LIFECYCLE_COMMANDS_H

#include "cmd_server.h"
#include "db.h"

/* The command handlers every lifecycle service serves: report.act (the actions whose rule names
 * this service; others are refused as invalid so a misrouted command changes nothing) and
 * staff.query. `service` is "intake", "verify" or "route"; `db` must outlive the server. */
typedef struct {
    db_t *db;
    const char *service;
    long statement_timeout_ms;   /* of staff.query (ADUAN_STATEMENT_TIMEOUT_MS); 0 = no limit */
} lifecycle_commands_t;

int lifecycle_commands_register(cmd_server_t *server, lifecycle_commands_t *commands);

#endif
