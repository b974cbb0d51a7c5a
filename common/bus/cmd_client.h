#ifndef ADUAN_CMD_CLIENT_H
#define ADUAN_CMD_CLIENT_H
#include <czmq.h>

#include "curve_keys.h"
#include "envelope.h"

/* The requesting side of a command link (Lazy Pirate over DEALER): sends a request envelope to one
 * of several server replicas and waits for the reply carrying the same id. On timeout it closes the
 * socket (dropping anything queued for a dead peer), reconnects, and resends the SAME request id,
 * so servers must treat a repeated id as the same request. Stale replies (other ids) are dropped.
 * Not thread-safe: one client per thread. */
typedef struct cmd_client_t cmd_client_t;

/* endpoints: comma-separated ZeroMQ endpoints, one per server replica
 * ("tcp://127.0.0.1:7101,tcp://127.0.0.1:7111"); timeout_ms per attempt; attempts >= 1.
 * keys: NULL for a plain link; else the link is CURVE to the server whose certificate is named
 * `server` ("intake", "stats", ...), and the keys must outlive the client. */
cmd_client_t *cmd_client_new(const char *endpoints, int timeout_ms, int attempts, const curve_keys_t *keys,
                             const char *server, char *reason, size_t reason_cap);
void cmd_client_destroy(cmd_client_t **self_p);

/* Returns the reply (caller destroys it), possibly of type "error" (see error_reply.h), or NULL
 * after the last attempt timed out, with the reason. */
envelope_t *cmd_client_call(cmd_client_t *self, const envelope_t *request,
                            char *reason, size_t reason_cap);

/* A fresh DEALER connected to every replica, as every requesting side of a command link uses:
 * IMMEDIATE (never queue for a peer that is not there), no linger, heartbeats, CURVE as for
 * cmd_client_new. NULL with a reason. */
zsock_t *cmd_client_connect(const char *endpoints, const curve_keys_t *keys, const char *server, char *reason,
                           size_t reason_cap);

#endif
