#ifndef ADUAN_EVENT_CODEC_H
#define ADUAN_EVENT_CODEC_H
#include "message_types.h"
#include "msgpack_fields.h"
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <jansson.h>

/* Events and the messages of the event stream (documented for consumers in any language in
 * docs/event-stream.md). An event on the wire is one msgpack map:
 *   { "seq": uint, "prev": uint, "id": str, "type": str, "v": uint (payload schema version),
 *     "at": int (occurred, ms since epoch), "report": str|absent (tracking id),
 *     "institution": str|absent, "actor_role": str, "actor_id": str|absent,
 *     "payload": map (type-specific, see the payload builders) }
 * Live stream (PUB): two frames, [topic = event type][event map]; heartbeats are
 * [EVENT_HEARTBEAT_TOPIC][{ "head": uint, "at": int }].
 * Replay (command link, envelope types stream.replay → stream.batch):
 *   request { "from": uint (first seq wanted), "prefix": str, "max": uint }
 *   reply   { "events": [event map...], "head": uint (latest seq of the log) } */
#define EVENT_PAYLOAD_MAX (256 * 1024)
#define EVENT_REPLAY_MAX 1000

typedef struct {
    int64_t seq;                 /* 0 until sequenced */
    int64_t prev;                /* seq - 1 on the wire; filled by encoders of the stream */
    char *id;                    /* unique event id (32 hex chars) */
    char *type;                  /* topic, e.g. "report.submitted" */
    uint32_t version;            /* payload schema version */
    int64_t occurred_at_ms;
    int64_t report_id;           /* internal, never on the wire; 0 when none (used for partitioning) */
    char *tracking_id;           /* NULL when the event is not about one report */
    char *institution;           /* NULL when none */
    char *actor_role;            /* reporter | system | national_admin | ...; never an anonymous identity */
    char *actor_id;              /* NULL for reporters and the system */
    unsigned char *payload;      /* msgpack map, owned */
    size_t payload_size;
} event_t;

typedef struct {
    size_t count;
    event_t *items;
    int64_t head;                /* latest seq of the log when the batch was read */
} event_batch_t;

typedef struct {
    int64_t from;
    char *prefix;
    uint32_t max;
} event_replay_request_t;

int event_encode(const event_t *in, unsigned char **out, size_t *out_size);
int event_decode(const void *data, size_t size, event_t *out, char *reason, size_t reason_cap);
void event_clear(event_t *self);

int event_heartbeat_encode(int64_t head, int64_t at_ms, unsigned char **out, size_t *out_size);
int event_heartbeat_decode(const void *data, size_t size, int64_t *head, int64_t *at_ms,
                           char *reason, size_t reason_cap);

int event_replay_request_encode(const event_replay_request_t *in, unsigned char **out, size_t *out_size);
int event_replay_request_decode(const void *data, size_t size, event_replay_request_t *out,
                                char *reason, size_t reason_cap);
void event_replay_request_clear(event_replay_request_t *self);

int event_batch_encode(const event_batch_t *in, unsigned char **out, size_t *out_size);
int event_batch_decode(const void *data, size_t size, event_batch_t *out, char *reason, size_t reason_cap);
/* Appends a copy of `event` (deep) to the batch. */
int event_batch_push(event_batch_t *self, const event_t *event);
void event_batch_clear(event_batch_t *self);

/* The event's payload as a decoded map in *doc (mpf_doc_close it), for a reader that wants a few
 * of its fields without converting the whole event: 0, or -1 with the reason. */
int event_payload_open(const event_t *event, mpf_doc_t *doc, char *reason, size_t reason_cap);

/* The event as a JSON object (payload converted generically; bin as base64), for aduan-tail. */
json_t *event_to_json(const event_t *event);

#endif
