#ifndef ADUAN_CMD_MUX_H
#define ADUAN_CMD_MUX_H
#include <czmq.h>
#include <stdbool.h>
#include <stdint.h>

#include "curve_keys.h"
#include "envelope.h"

/* The requesting side of a command link that carries many requests at once: one DEALER connected
 * to every server replica, each reply matched to its request by the request id, so one thread can
 * keep thousands of requests in flight without waiting for any of them.
 *
 * As with cmd_client (Lazy Pirate), a request without a reply within timeout_ms is sent again
 * with the SAME id, up to `attempts` sends, then fails with a reason; replies to ids no longer
 * waited for are dropped. Unlike cmd_client the socket is kept on a time-out: it carries the other
 * requests too, and with IMMEDIATE ZeroMQ drops what was queued for a peer whose connection broke,
 * so the resend goes to a replica that is there. Two requests with the same id (one idempotency
 * key sent twice at once) are never in flight together: the second is sent once the first has its
 * answer, so each gets the reply to its own request.
 *
 * At most `window` requests are in flight. A service works through what it was sent one after the
 * other: were everything sent at once, requests would time out while merely queued at the service,
 * and their resends would add to its queue; so the rest wait here, their time-out not yet running.
 * How many may be in flight adapts to how fast the service answers: a time-out halves it (once
 * per time-out period), each reply adds one back, up to `window`.
 *
 * Not thread-safe: one thread polls cmd_mux_socket() and calls cmd_mux_tick(). */
typedef struct cmd_mux_t cmd_mux_t;

/* The answer to one request, called once from cmd_mux_tick or cmd_mux_destroy: the reply
 * (ownership passed; possibly of type "error") or NULL with the reason none came. It must not
 * call back into the mux. */
typedef void(cmd_mux_done_fn)(void *tag, envelope_t *reply, const char *reason);

/* Whether the request of `tag` still has someone waiting for its answer (the HTTP client may
 * have gone). One that has not is answered NULL instead of being sent, or sent again. */
typedef bool(cmd_mux_wanted_fn)(void *tag);

/* endpoints, timeout_ms, attempts, keys and server as for cmd_client_new; window: requests in
 * flight at most, the others queued in order without their time-out running. */
cmd_mux_t *cmd_mux_new(const char *endpoints, int timeout_ms, int attempts, size_t window, const curve_keys_t *keys,
                       const char *server, char *reason, size_t reason_cap);
/* Fails every request still waiting ("the command link is closed"). */
void cmd_mux_destroy(cmd_mux_t **self_p);

/* Sends `request` (not taken), its answer to come through `done` with `tag`; `wanted` (NULL: always)
 * is asked before each send. -1 with a reason when it could not be encoded or memory ran out;
 * then `done` is never called for it. */
int cmd_mux_send(cmd_mux_t *self, const envelope_t *request, cmd_mux_done_fn *done, cmd_mux_wanted_fn *wanted,
                 void *tag, char *reason, size_t reason_cap);

/* The socket to poll for replies. */
zsock_t *cmd_mux_socket(cmd_mux_t *self);

/* Takes the replies waiting on the socket, sends what the high-water mark or a missing peer held
 * back, and resends or fails the requests whose attempt timed out by `now_ms` (zclock_mono).
 * Returns the ms until it wants to be called again without a reply coming, -1 when nothing waits. */
long cmd_mux_tick(cmd_mux_t *self, int64_t now_ms);

/* Requests waiting for an answer: in flight, queued, or held behind another with their id. */
size_t cmd_mux_waiting(const cmd_mux_t *self);

#endif
