#ifndef ADUAN_GATEWAY_COMMAND_LINKS_H
#define ADUAN_GATEWAY_COMMAND_LINKS_H

#include "curve_keys.h"
#include "envelope.h"

/* The gateway's command links to the services behind it, each a list of replica endpoints.
 * HTTP requests are served by a pool of threads and a command client is not thread-safe, so each
 * thread gets its own client per peer on first use; they are destroyed when the thread ends. */
typedef enum { PEER_INTAKE, PEER_VERIFY, PEER_ROUTE, PEER_NOTIFY, PEER_STATS, PEER_COUNT } command_peer_t;

/* keys: the gateway's (NULL: plain links); each link is CURVE to the key named after its peer.
 * They outlive the links. */
int command_links_setup(const char *const endpoints[PEER_COUNT], const curve_keys_t *keys, int timeout_ms,
                        int attempts);
void command_links_teardown(void);

/* The peer's name, for messages ("intake", "verify", "route", "notify", "stats"). */
const char *command_links_name(command_peer_t peer);

/* The peer that carries out a lifecycle rule's actions (its `service`); PEER_COUNT if none. */
command_peer_t command_links_peer_named(const char *service);

/* Sends `request` (its body set by the caller) and returns the reply, or NULL with a reason when
 * no replica answered in time. */
envelope_t *command_links_call(command_peer_t peer, const envelope_t *request, char *reason, size_t reason_cap);

#endif
