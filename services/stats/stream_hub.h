#ifndef ADUAN_STATS_STREAM_HUB_H
#define ADUAN_STATS_STREAM_HUB_H
#include <czmq.h>
#include <stdbool.h>
#include <stdint.h>
#include "curve_keys.h"
#include "db.h"
#include "envelope.h"

/* The event stream hub: numbers committed events (event_log_sequence), publishes them in order on
 * a PUB socket as [type][event], sends a heartbeat [_heartbeat][{head, at}] while idle, and
 * answers replay requests from the log. Wire format: docs/event-stream.md. Several hubs may run:
 * the numbering is shared through PostgreSQL, so they publish identical streams. */
typedef struct stream_hub_t stream_hub_t;

/* db: borrowed, and the hub's own to use: its statements are prepared from now on
 * (db_prepare_statements). keys: CURVE on the PUB socket, admitting the peers' keys (they outlive
 * the hub); NULL: plain. */
stream_hub_t *stream_hub_new(db_t *db, const char *pub_bind, curve_keys_t *keys, int heartbeat_ms, char *reason,
                             size_t reason_cap);
void stream_hub_destroy(stream_hub_t **self_p);

/* (Re)issues LISTEN after a (re)connection; returns the socket to poll for notifications, or -1
 * while the database is unreachable. */
int stream_hub_listen(stream_hub_t *self);
/* Drains notifications (wake-ups only). */
void stream_hub_consume_notifications(stream_hub_t *self);
/* Numbers and publishes the next batch of what was committed since the last call. Count published,
 * or -1. *more: the batch was full, so call again at once; otherwise everything committed before the
 * call went out, and what commits later wakes the hub (stream_hub_listen). */
int stream_hub_catch_up(stream_hub_t *self, bool *more);
/* Sends the heartbeat when one is due. */
void stream_hub_heartbeat(stream_hub_t *self);
int64_t stream_hub_published(const stream_hub_t *self);

/* cmd_server handler for MSG_STREAM_REPLAY (ctx: the hub). */
int stream_hub_replay(void *ctx, const envelope_t *request, envelope_t *reply);

#endif
