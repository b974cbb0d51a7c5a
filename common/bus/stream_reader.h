#ifndef ADUAN_STREAM_READER_H
#define ADUAN_STREAM_READER_H
#include <stdbool.h>
#include <stdint.h>
#include "curve_keys.h"
#include "event_codec.h"

/* Reads the event stream in order, without gaps, from any sequence number: live events from the
 * hubs' PUB endpoints, and whatever is missing (a late join, a dropped message, a hub restart)
 * from their replay endpoints. It subscribes to every topic and filters locally, because gaps can
 * only be seen on the whole stream. Used by aduan-tail and by event_consumer.
 * Not thread-safe. */
typedef struct stream_reader_t stream_reader_t;

typedef struct {
    const char *stream_endpoints;   /* comma list of hub PUB endpoints */
    const char *replay_endpoints;   /* comma list of hub replay (command) endpoints */
    int64_t next_seq;               /* first sequence number wanted (>= 1) */
    const char *topic_prefix;       /* "" for all; other events are skipped but still counted */
    int replay_timeout_ms;          /* per replay attempt, default 2000 when 0 */
    const curve_keys_t *keys;       /* NULL: plain links; else CURVE to the hubs' key "stats" */
} stream_reader_config_t;

stream_reader_t *stream_reader_new(const stream_reader_config_t *config, char *reason, size_t reason_cap);
void stream_reader_destroy(stream_reader_t **self_p);

/* Waits up to timeout_ms for the next event in order (seq == next_seq). Returns 1 with *event
 * filled (caller event_clear()s it), 0 when nothing arrived in time (hub silent or caught up), -1
 * on interruption. Gaps are filled by replay before returning. */
int stream_reader_next(stream_reader_t *self, int timeout_ms, event_t *event);

/* The sequence number the next event will carry. */
int64_t stream_reader_position(const stream_reader_t *self);
/* Moves the reader (e.g. after a consumer claimed a partition whose position is older). */
void stream_reader_seek(stream_reader_t *self, int64_t next_seq);
/* Latest head seen in a heartbeat or replay; 0 before any. */
int64_t stream_reader_head(const stream_reader_t *self);
/* True while heartbeats or events arrive (none for `silence_ms` → false). */
bool stream_reader_hub_alive(const stream_reader_t *self, int silence_ms);
/* True when messages of the stream wait unread: the hub spoke though nothing was read for a while
 * (a member busy with a backlog). Call it on the reader's thread. */
bool stream_reader_has_waiting(const stream_reader_t *self);

#endif
