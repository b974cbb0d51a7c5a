#ifndef ADUAN_CMD_SERVER_H
#define ADUAN_CMD_SERVER_H
#include <czmq.h>
#include "curve_keys.h"
#include "envelope.h"

/* The serving side of a command link: a ROUTER bound to one or more endpoints, dispatching decoded
 * envelopes by type to registered handlers and sending each reply to the peer that asked.
 * Undecodable messages get an error reply ("bad_message"), unknown types "unknown_type"; "ping" is
 * answered with "pong" by the server itself, to any admitted key. With keys, only the peers' keys
 * complete the CURVE handshake (others, and plain clients, get no answer at all), and a request
 * whose sender's role may not send its type is answered "forbidden" without reaching the handler.
 * Counts requests, errors and latency in metrics. */
typedef struct cmd_server_t cmd_server_t;

/* The handler receives the request and a reply already carrying its id and trace; it sets the
 * reply's type and body (or calls error_reply_into). A non-zero return makes the server answer
 * "internal" instead, whatever the handler put in the reply. */
typedef int (cmd_handler_fn)(void *ctx, const envelope_t *request, envelope_t *reply);

/* A handler of requests taken together (see cmd_server_handle_waiting): requests[i] is answered
 * in replies[i], as cmd_handler_fn does for one. A non-zero return answers "internal" to all. */
typedef int (cmd_batch_fn)(void *ctx, const envelope_t *const *requests, envelope_t *const *replies, size_t count);

/* bind_endpoints: comma-separated ("tcp://127.0.0.1:7101"); keys: NULL for plain links, else they
 * must outlive the server. */
cmd_server_t *cmd_server_new(const char *bind_endpoints, curve_keys_t *keys, char *reason, size_t reason_cap);
void cmd_server_destroy(cmd_server_t **self_p);

/* roles: the CURVE_ROLE_* bits of the keys that may send `type`. */
int cmd_server_on(cmd_server_t *self, const char *type, unsigned roles, cmd_handler_fn *handler, void *ctx);
/* As cmd_server_on, for a type whose requests waiting together are handled in one call. Batch
 * types run in the order registered, each one's replies sent as soon as its handler returns: a
 * type registered first is not kept waiting by the ones after it. */
int cmd_server_on_batch(cmd_server_t *self, const char *type, unsigned roles, cmd_batch_fn *handler, void *ctx);

/* The socket to poll for readability (zpoller/zloop). */
zsock_t *cmd_server_socket(cmd_server_t *self);
/* Receives one waiting message, dispatches it and replies. 0 when a message was handled,
 * -1 when nothing could be received (interrupted). */
int cmd_server_handle_one(cmd_server_t *self);
/* Waits for one message, then takes every other one already waiting, up to `max` in all: each is
 * dispatched, and answered at once unless its type is a batch type; then each batch type's
 * requests go to their handler in one call (cmd_server_on_batch). 0 when messages were handled,
 * -1 when nothing could be received (interrupted). */
int cmd_server_handle_waiting(cmd_server_t *self, size_t max);
/* Under a flow of requests of batch type `type` (the last round took more than one), a round
 * holding one waits up to linger_ms after finding its queue empty for more to run in the same
 * batch: a batch that commits costs about as much for two requests as for ten (its commit, each
 * statement's fixed part). A lone request never waits, nor does a round without one of that type.
 * 0 (the default) takes only what is waiting. -1 when `type` has no batch handler. */
int cmd_server_set_linger(cmd_server_t *self, const char *type, int linger_ms);

#endif
