#include "stream_hub.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db_wakeup.h"
#include "error_reply.h"
#include "event_log.h"
#include "logger.h"
#include "metrics.h"

#define CATCH_UP_BATCH 1000

struct stream_hub_t {
    db_t *db;
    zsock_t *pub;
    int heartbeat_ms;
    int64_t next_heartbeat;
    int64_t published;          /* last seq sent; -1 until the head is known */
    db_wakeup_t wakeup;
    metrics_counter_t *published_total;
    metrics_gauge_t *head_gauge;
};

stream_hub_t *stream_hub_new(db_t *db, const char *pub_bind, curve_keys_t *keys, int heartbeat_ms, char *reason,
                             size_t cap)
{
    stream_hub_t *self = calloc(1, sizeof *self);
    if (!self || !(self->pub = zsock_new(ZMQ_PUB))) {
        free(self);
        snprintf(reason, cap, "cannot create a ZeroMQ socket");
        return NULL;
    }
    /* Subscribers that fall behind lose messages at the high-water mark and replay them; a large
     * mark keeps that rare. */
    zsock_set_sndhwm(self->pub, 100000);
    zsock_set_linger(self->pub, 200);
    if (curve_keys_serve(keys, self->pub, pub_bind, reason, cap) != 0) {
        stream_hub_destroy(&self);
        return NULL;
    }
    if (zsock_bind(self->pub, "%s", pub_bind) < 0) {
        snprintf(reason, cap, "cannot bind %s: %s", pub_bind, zmq_strerror(zmq_errno()));
        stream_hub_destroy(&self);
        return NULL;
    }
    self->db = db;
    /* Numbering and publishing repeat the same few statements hundreds of times a second under
     * load: planned at every call they cost the hub's backend 0.14 ms a submission (submit_bench,
     * stop 31). Prepared, PostgreSQL keeps a generic plan only where it costs no more than a
     * custom one. */
    db_prepare_statements(db);
    self->wakeup = (db_wakeup_t) {db, EVENT_LOG_CHANNEL, 0};
    self->heartbeat_ms = heartbeat_ms;
    self->published = -1;
    self->published_total = metrics_counter("aduan_stream_published_total", "Events published on the stream", NULL);
    self->head_gauge = metrics_gauge("aduan_stream_head", "Sequence number of the last event published", NULL);
    return self;
}

void stream_hub_destroy(stream_hub_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    zsock_destroy(&(*self_p)->pub);
    free(*self_p);
    *self_p = NULL;
}

int stream_hub_listen(stream_hub_t *self)
{
    return db_wakeup_fd(&self->wakeup);
}

void stream_hub_consume_notifications(stream_hub_t *self)
{
    db_wakeup_drain(&self->wakeup, NULL, NULL);
}

static int publish(stream_hub_t *self, const event_t *event)
{
    unsigned char *bytes = NULL;
    size_t size = 0;
    if (event_encode(event, &bytes, &size) != 0)
        return -1;
    zmsg_t *msg = zmsg_new();
    zmsg_addstr(msg, event->type);
    zmsg_addmem(msg, bytes, size);
    free(bytes);
    if (zmsg_send(&msg, self->pub) != 0) {
        zmsg_destroy(&msg);
        return -1;
    }
    self->published = event->seq;
    metrics_counter_add(self->published_total, 1);
    return 0;
}

/* Publishes the numbered events after `published`; count, or -1. */
static int publish_batch(stream_hub_t *self)
{
    event_batch_t batch;
    db_error_t error;
    if (event_log_read(self->db, self->published, "", CATCH_UP_BATCH, &batch, &error) != 0) {
        logger_warn("reading the event log: %s", error.message);
        return -1;
    }
    int sent = 0;
    for (size_t i = 0; i < batch.count; i++) {
        if (batch.items[i].seq != self->published + 1) {
            logger_error("event log has a hole at %lld", (long long) self->published + 1);
            break;
        }
        if (publish(self, &batch.items[i]) != 0)
            break;
        sent++;
    }
    event_batch_clear(&batch);
    return sent;
}

int stream_hub_catch_up(stream_hub_t *self, bool *more)
{
    *more = false;
    db_error_t error;
    if (self->published < 0) {
        int64_t head = event_log_head(self->db, &error);
        if (head < 0)
            return -1;
        self->published = head;  /* history is for replay; the live stream starts now */
    }
    int sent = event_log_sequence(self->db, CATCH_UP_BATCH, &error) >= 0 ? publish_batch(self) : -1;
    metrics_gauge_set(self->head_gauge, (double) self->published);
    *more = sent == CATCH_UP_BATCH;
    return sent;
}

void stream_hub_heartbeat(stream_hub_t *self)
{
    if (zclock_mono() < self->next_heartbeat || self->published < 0)
        return;
    self->next_heartbeat = zclock_mono() + self->heartbeat_ms;
    unsigned char *bytes = NULL;
    size_t size = 0;
    if (event_heartbeat_encode(self->published, envelope_now_ms(), &bytes, &size) != 0)
        return;
    zmsg_t *msg = zmsg_new();
    zmsg_addstr(msg, EVENT_HEARTBEAT_TOPIC);
    zmsg_addmem(msg, bytes, size);
    free(bytes);
    if (zmsg_send(&msg, self->pub) != 0)
        zmsg_destroy(&msg);
}

int64_t stream_hub_published(const stream_hub_t *self)
{
    return self->published;
}

int stream_hub_replay(void *ctx, const envelope_t *request, envelope_t *reply)
{
    stream_hub_t *self = ctx;
    event_replay_request_t want;
    char reason[200];
    if (event_replay_request_decode(request->body, request->body_size, &want, reason, sizeof reason) != 0)
        return error_reply_simple(reply, ERROR_BAD_MESSAGE, reason);
    metrics_counter_add(metrics_counter("aduan_replay_requests_total", "Replay requests answered", NULL), 1);
    event_batch_t batch;
    db_error_t error;
    int rc = event_log_read(self->db, want.from - 1, want.prefix, want.max ? (int) want.max : EVENT_REPLAY_MAX,
                            &batch, &error);
    event_replay_request_clear(&want);
    if (rc != 0)
        return error_reply_simple(reply, ERROR_UNAVAILABLE, "the event log is not reachable");
    /* A reply must fit in one envelope: send fewer events when they are large; the reader asks again. */
    unsigned char *body = NULL;
    size_t size = 0;
    event_batch_t part = batch;
    while ((rc = event_batch_encode(&part, &body, &size)) == 0 && size > ENVELOPE_MAX_BYTES - 4096 && part.count > 1) {
        free(body);
        part.count /= 2;
    }
    event_batch_clear(&batch);
    if (rc != 0)
        return -1;
    envelope_set_type(reply, MSG_STREAM_BATCH);
    envelope_take_body(reply, body, size);
    return 0;
}
