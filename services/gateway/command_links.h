#ifndef ADUAN_GATEWAY_COMMAND_LINKS_H
#define ADUAN_GATEWAY_COMMAND_LINKS_H

#include "cmd_mux.h"
#include "curve_keys.h"
#include "envelope.h"

/* The gateway's command links to the services behind it, each a list of replica endpoints.
 * One thread, the dispatcher, owns one multiplexing link per peer (cmd_mux: a DEALER, CURVE,
 * replies matched by request id, resends of the same id on time-out) and answers every request
 * through a callback, so no HTTP thread waits for a service (http_api.c says how a request
 * waits instead). */
typedef enum { PEER_INTAKE, PEER_VERIFY, PEER_ROUTE, PEER_NOTIFY, PEER_STATS, PEER_COUNT } command_peer_t;

/* keys: the gateway's (NULL: plain links); each link is CURVE to the key named after its peer.
 * They outlive the links. window: commands in flight per peer at most (cmd_mux.h). Starts the
 * dispatcher; -1 with a reason. */
int command_links_setup(const char *const endpoints[PEER_COUNT], const curve_keys_t *keys, int timeout_ms,
                        int attempts, size_t window, char *reason, size_t reason_cap);
/* Stops the dispatcher; a request still waiting is answered "the command link is closed". */
void command_links_teardown(void);

/* The peer's name, for messages ("intake", "verify", "route", "notify", "stats"). */
const char *command_links_name(command_peer_t peer);

/* The peer that carries out a lifecycle rule's actions (its `service`); PEER_COUNT if none. */
command_peer_t command_links_peer_named(const char *service);

/* Hands `request` (taken) to the dispatcher, which calls `done` with `tag` on its own thread once
 * the reply came or every attempt timed out, or, asking `wanted` before each send, nobody waits
 * any more. -1 with a reason (request destroyed, `done` never called) when the links are not
 * running or memory ran out. Thread-safe. */
int command_links_send(command_peer_t peer, envelope_t *request, cmd_mux_done_fn *done, cmd_mux_wanted_fn *wanted,
                       void *tag, char *reason, size_t reason_cap);

#endif
