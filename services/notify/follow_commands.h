#ifndef ADUAN_NOTIFY_FOLLOW_COMMANDS_H
#define ADUAN_NOTIFY_FOLLOW_COMMANDS_H

#include "cmd_server.h"
#include "db.h"
#include "fanout.h"

/* The commands of following a public report (follow_codec.h), asked by the gateway for anyone:
 * report.follow stores a pending follow and queues its confirmation mail as a delivery (retries
 * and proof like any other), follow.confirm and follow.unsubscribe act on the token of a link.
 * `db` and `settings` must outlive the server; `db` is used by no other thread. */
typedef struct {
    db_t *db;
    const fanout_settings_t *settings;   /* public_url, delivery_id_key, max_attempts */
} follow_commands_t;

int follow_commands_register(cmd_server_t *server, follow_commands_t *commands);

#endif
