#include "stream_reader.h"

#include <czmq.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd_client.h"
#include "logger.h"
#include "zmq_endpoints.h"

/* The hubs are aduan-stats replicas: their certificate is named after it. */
#define HUB_KEY_NAME "stats"

struct stream_reader_t {
    zsock_t *sub;               /* NULL without stream endpoints */
    cmd_client_t *replay;       /* NULL without replay endpoints */
    char *prefix;
    int64_t next;
    int64_t head;
    int64_t last_heard;         /* zclock_mono() of the last event or heartbeat */
    event_batch_t pending;      /* replayed events not yet handed out */
    size_t pending_index;
    bool gap;                   /* a live event came beyond `next`: the queue cannot fill the hole */
};

static zsock_t *open_sub(const char *endpoints, const curve_keys_t *keys, char *reason, size_t cap)
{
    zsock_t *sub = zsock_new(ZMQ_SUB);
    if (!sub) {
        snprintf(reason, cap, "cannot create a ZeroMQ socket");
        return NULL;
    }
    zsock_set_rcvhwm(sub, 100000);
    zmq_endpoints_keepalive_queued(sub);   /* a member far behind lets its queue fill */
    zsock_set_subscribe(sub, "");  /* all topics: a gap is only visible on the whole stream */
    if (curve_keys_connect(keys, sub, HUB_KEY_NAME, reason, cap) != 0
        || zmq_endpoints_attach(sub, endpoints, false, reason, cap) < 0)
        zsock_destroy(&sub);
    return sub;
}

stream_reader_t *stream_reader_new(const stream_reader_config_t *config, char *reason, size_t cap)
{
    stream_reader_t *self = calloc(1, sizeof *self);
    if (!self || !(self->prefix = strdup(config->topic_prefix ? config->topic_prefix : ""))) {
        free(self);
        snprintf(reason, cap, "out of memory");
        return NULL;
    }
    self->next = config->next_seq > 0 ? config->next_seq : 1;
    self->last_heard = -1000000;
    bool ok = true;
    if (config->stream_endpoints && *config->stream_endpoints)
        ok = (self->sub = open_sub(config->stream_endpoints, config->keys, reason, cap)) != NULL;
    if (ok && config->replay_endpoints && *config->replay_endpoints)
        ok = (self->replay = cmd_client_new(config->replay_endpoints,
                                            config->replay_timeout_ms > 0 ? config->replay_timeout_ms : 2000, 1,
                                            config->keys, HUB_KEY_NAME, reason, cap)) != NULL;
    if (!ok)
        stream_reader_destroy(&self);
    return self;
}

void stream_reader_destroy(stream_reader_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    stream_reader_t *self = *self_p;
    zsock_destroy(&self->sub);
    cmd_client_destroy(&self->replay);
    event_batch_clear(&self->pending);
    free(self->prefix);
    free(self);
    *self_p = NULL;
}

/* Takes `e` if it is the next one: 1 when handed out to *event, 0 when skipped or not next. */
static int take(stream_reader_t *self, event_t *e, event_t *event)
{
    if (e->seq != self->next)
        return 0;
    self->next++;
    if (e->seq > self->head)
        self->head = e->seq;
    if (strncmp(e->type, self->prefix, strlen(self->prefix)) != 0)
        return 0;
    *event = *e;
    memset(e, 0, sizeof *e);  /* ownership moves to the caller */
    return 1;
}

static int from_pending(stream_reader_t *self, event_t *event)
{
    while (self->pending_index < self->pending.count)
        if (take(self, &self->pending.items[self->pending_index++], event))
            return 1;
    event_batch_clear(&self->pending);
    self->pending_index = 0;
    return 0;
}

/* Asks a hub for what is missing from `next` on; false when no hub answered. */
static bool replay(stream_reader_t *self)
{
    if (!self->replay)
        return false;
    event_replay_request_t want = {self->next, "", EVENT_REPLAY_MAX};
    unsigned char *body = NULL;
    size_t size = 0;
    char reason[256];
    envelope_t *request = envelope_new(MSG_STREAM_REPLAY, 1, NULL, NULL);
    if (!request || event_replay_request_encode(&want, &body, &size) != 0) {
        envelope_destroy(&request);
        return false;
    }
    envelope_take_body(request, body, size);
    envelope_t *reply = cmd_client_call(self->replay, request, reason, sizeof reason);
    bool ok = reply && strcmp(reply->type, MSG_STREAM_BATCH) == 0
              && event_batch_decode(reply->body, reply->body_size, &self->pending, reason, sizeof reason) == 0;
    if (ok) {
        self->gap = false;
        self->pending_index = 0;
        if (self->pending.head > self->head)
            self->head = self->pending.head;
        self->last_heard = zclock_mono();
    } else
        logger_warn("replay from %lld failed: %s", (long long) self->next, reply ? "bad reply" : reason);
    envelope_destroy(&reply);
    envelope_destroy(&request);
    return ok;
}

/* What one look at the live stream's queue found. */
typedef enum {
    RECEIVED_EVENT,     /* the next event, handed out */
    RECEIVED_OTHER,     /* a heartbeat, an event not next, or a message that is none: more may wait */
    RECEIVED_NOTHING,   /* the queue is empty (or there is no stream) */
} received_t;

/* The next frame of the message being read into *frame (zmq_msg_close it), when there is one. */
static bool next_frame(void *socket, zmq_msg_t *frame, const zmq_msg_t *previous)
{
    if (!zmq_msg_more(previous))
        return false;
    zmq_msg_init(frame);
    if (zmq_msg_recv(frame, socket, 0) >= 0)
        return true;
    zmq_msg_close(frame);
    return false;
}

/* Reads and drops the frames after `last`, so that the next read starts a message. */
static void skip_rest(void *socket, const zmq_msg_t *last)
{
    bool more = zmq_msg_more(last);
    while (more) {
        zmq_msg_t frame;
        zmq_msg_init(&frame);
        more = zmq_msg_recv(&frame, socket, 0) >= 0 && zmq_msg_more(&frame);
        zmq_msg_close(&frame);
    }
}

static void decode_message(stream_reader_t *self, zmq_msg_t *topic, zmq_msg_t *body, event_t *event,
                           received_t *got)
{
    char reason[200];
    size_t size = zmq_msg_size(topic);
    if (size == strlen(EVENT_HEARTBEAT_TOPIC) && memcmp(zmq_msg_data(topic), EVENT_HEARTBEAT_TOPIC, size) == 0) {
        int64_t head, at;
        if (event_heartbeat_decode(zmq_msg_data(body), zmq_msg_size(body), &head, &at, reason, sizeof reason) == 0) {
            self->last_heard = zclock_mono();
            if (head > self->head)
                self->head = head;
        }
        return;
    }
    event_t e;
    if (event_decode(zmq_msg_data(body), zmq_msg_size(body), &e, reason, sizeof reason) != 0)
        return;
    self->last_heard = zclock_mono();
    if (e.seq > self->head)
        self->head = e.seq;
    if (e.seq > self->next)
        self->gap = true;
    if (take(self, &e, event))   /* a later seq is a gap: the replay brings it */
        *got = RECEIVED_EVENT;
    event_clear(&e);
}

/* One message from the live stream without waiting, read frame by frame from the socket itself: a
 * poll and a zmsg (five allocations) for each event cost the readers of a backlog more than the
 * event's own decoding. */
static received_t receive(stream_reader_t *self, event_t *event)
{
    if (!self->sub)
        return RECEIVED_NOTHING;
    void *socket = zsock_resolve(self->sub);
    zmq_msg_t topic, body;
    zmq_msg_init(&topic);
    if (zmq_msg_recv(&topic, socket, ZMQ_DONTWAIT) < 0) {
        zmq_msg_close(&topic);
        return RECEIVED_NOTHING;
    }
    received_t got = RECEIVED_OTHER;
    if (next_frame(socket, &body, &topic)) {
        decode_message(self, &topic, &body, event, &got);
        skip_rest(socket, &body);   /* a message of more frames is none of ours */
        zmq_msg_close(&body);
    }
    zmq_msg_close(&topic);
    return got;
}

int stream_reader_next(stream_reader_t *self, int timeout_ms, event_t *event)
{
    int64_t deadline = zclock_mono() + timeout_ms;
    memset(event, 0, sizeof *event);
    while (!zsys_interrupted) {
        if (from_pending(self, event))
            return 1;
        /* Behind the head, the events may still wait in the queue (a member busy with a backlog, or
         * just after a replay, whose head is the log's): read them first, and ask for a replay
         * only for a hole the queue showed, or once it is empty. */
        received_t got = self->gap ? RECEIVED_NOTHING : receive(self, event);
        if (got == RECEIVED_EVENT)
            return 1;
        if (got == RECEIVED_NOTHING && self->head >= self->next && replay(self) && self->pending.count)
            continue;
        int64_t left = deadline - zclock_mono();
        if (left <= 0)
            return 0;
        if (got == RECEIVED_OTHER)
            continue;
        if (!self->sub) {
            zclock_sleep(left < 100 ? (int) left : 100);
            continue;
        }
        zmq_pollitem_t item = {zsock_resolve(self->sub), 0, ZMQ_POLLIN, 0};
        /* after a failed replay, come back soon to try again */
        long wait = self->head >= self->next ? (left < 200 ? left : 200) : left;
        /* What came is read at the top of the loop; past a hole, which only a replay fills, it is
         * read here while the replays fail (and dropped unless next): the queue is not left to
         * fill, nor the poll to return at once again and again. */
        if (zmq_poll(&item, 1, wait) > 0 && self->gap && receive(self, event) == RECEIVED_EVENT)
            return 1;
    }
    return -1;
}

int64_t stream_reader_position(const stream_reader_t *self)
{
    return self->next;
}

void stream_reader_seek(stream_reader_t *self, int64_t next_seq)
{
    self->next = next_seq > 0 ? next_seq : 1;
    self->gap = false;
    event_batch_clear(&self->pending);
    self->pending_index = 0;
}

int64_t stream_reader_head(const stream_reader_t *self)
{
    return self->head;
}

bool stream_reader_hub_alive(const stream_reader_t *self, int silence_ms)
{
    return zclock_mono() - self->last_heard < silence_ms;
}

bool stream_reader_has_waiting(const stream_reader_t *self)
{
    return self->sub && (zsock_events(self->sub) & ZMQ_POLLIN);
}
