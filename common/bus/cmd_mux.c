#include "cmd_mux.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd_client.h"
#include "link_list.h"
#include "logger.h"

/* While nothing can be sent (high-water mark, no replica connected yet), how soon to try again. */
#define UNSENT_RETRY_MS 20

typedef struct call_t call_t;
struct call_t {
    char id[ENVELOPE_ID_MAX + 1];
    char type[ENVELOPE_TYPE_MAX + 1];
    unsigned char *data;
    size_t size;
    cmd_mux_done_fn *done;
    cmd_mux_wanted_fn *wanted;
    void *tag;
    int attempt;            /* sends begun */
    int64_t deadline;       /* of the current attempt */
    bool sent;              /* the current attempt reached the socket */
    link_t in_flight;       /* in the mux's in_flight (deadline order) */
    call_t *queue_next;     /* next in the queue, while queued */
    call_t *held;           /* the next request with the same id, sent once this one is answered */
};

struct cmd_mux_t {
    char *endpoints;
    int timeout_ms;
    int attempts;
    size_t window;          /* the most in flight, as configured */
    size_t limit;           /* the most in flight now: halved by time-outs, regrown by replies */
    int64_t last_cut;
    zsock_t *socket;
    zhashx_t *by_id;        /* id -> the active call of that id */
    link_list_t in_flight;  /* active calls; every attempt lasts timeout_ms, so appending keeps the order */
    size_t active;
    size_t unsent;          /* active calls whose current attempt is not on the socket yet */
    call_t *queued, *queued_last;   /* not sent yet: the window was full */
    size_t waiting;
};

cmd_mux_t *cmd_mux_new(const char *endpoints, int timeout_ms, int attempts, size_t window, const curve_keys_t *keys,
                       const char *server, char *reason, size_t cap)
{
    reason[0] = '\0';
    cmd_mux_t *self = calloc(1, sizeof *self);
    if (!self || !(self->endpoints = strdup(endpoints)) || !(self->by_id = zhashx_new())) {
        snprintf(reason, cap, "out of memory");
        cmd_mux_destroy(&self);
        return NULL;
    }
    self->timeout_ms = timeout_ms > 0 ? timeout_ms : 2000;
    self->attempts = attempts > 0 ? attempts : 1;
    self->window = self->limit = window > 0 ? window : 1;
    if (!(self->socket = cmd_client_connect(endpoints, keys, server ? server : "", reason, cap)))
        cmd_mux_destroy(&self);
    return self;
}

static void call_destroy(call_t *call)
{
    free(call->data);
    free(call);
}

static call_t *call_of(link_t *link)
{
    return link ? LINK_ITEM(link, call_t, in_flight) : NULL;
}

static void unlink_call(cmd_mux_t *self, call_t *call)
{
    link_list_remove(&self->in_flight, &call->in_flight);
    self->active--;
    if (!call->sent)
        self->unsent--;
}

static void try_send(cmd_mux_t *self, call_t *call)
{
    call->sent = zmq_send(zsock_resolve(self->socket), call->data, call->size, ZMQ_DONTWAIT) >= 0;
    if (!call->sent && errno != EAGAIN)
        logger_warn("cannot send %s %s to %s: %s", call->type, call->id, self->endpoints, zmq_strerror(errno));
}

/* Begins an attempt of `call`: to the end of the active list, on the socket if it takes it. */
static void start_attempt(cmd_mux_t *self, call_t *call, int64_t now)
{
    call->attempt++;
    call->deadline = now + self->timeout_ms;
    link_list_push_last(&self->in_flight, &call->in_flight);
    self->active++;
    try_send(self, call);
    if (!call->sent)
        self->unsent++;
}

static bool still_wanted(call_t *call)
{
    return !call->wanted || call->wanted(call->tag);
}

static void answer(cmd_mux_t *self, call_t *call, envelope_t *reply, const char *reason)
{
    cmd_mux_done_fn *done = call->done;
    void *tag = call->tag;
    call_destroy(call);
    self->waiting--;
    done(tag, reply, reason);
}

/* Sends queued requests while the window has room; one whose id is in flight waits behind it. */
static void admit(cmd_mux_t *self)
{
    while (self->queued && self->active < self->limit) {
        call_t *call = self->queued;
        if (!(self->queued = call->queue_next))
            self->queued_last = NULL;
        call->queue_next = NULL;
        if (!still_wanted(call)) {
            answer(self, call, NULL, "nobody waits for the answer any more");
            continue;
        }
        call_t *active = zhashx_lookup(self->by_id, call->id);
        if (active) {
            while (active->held)
                active = active->held;
            active->held = call;
        } else {
            zhashx_insert(self->by_id, call->id, call);
            start_attempt(self, call, zclock_mono());
        }
    }
}

/* Hands `call` its answer; the request held behind it with the same id takes its place. */
static void finish(cmd_mux_t *self, call_t *call, envelope_t *reply, const char *reason)
{
    unlink_call(self, call);
    if (call->held) {
        zhashx_update(self->by_id, call->id, call->held);
        start_attempt(self, call->held, zclock_mono());
    } else
        zhashx_delete(self->by_id, call->id);
    answer(self, call, reply, reason);
    admit(self);
}

/* Answers a chain of calls linked by `held` (from `first`) or by `queue_next` as closed. */
static void close_chain(cmd_mux_t *self, call_t *first, bool by_held)
{
    for (call_t *next; first; first = next) {
        next = by_held ? first->held : first->queue_next;
        answer(self, first, NULL, "the command link is closed");
    }
}

void cmd_mux_destroy(cmd_mux_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    cmd_mux_t *self = *self_p;
    call_t *queued = self->queued;
    self->queued = self->queued_last = NULL;
    close_chain(self, queued, false);
    while (self->in_flight.first) {
        call_t *call = call_of(self->in_flight.first), *held = call->held;
        unlink_call(self, call);
        answer(self, call, NULL, "the command link is closed");
        close_chain(self, held, true);
    }
    zhashx_destroy(&self->by_id);
    zsock_destroy(&self->socket);
    free(self->endpoints);
    free(self);
    *self_p = NULL;
}

int cmd_mux_send(cmd_mux_t *self, const envelope_t *request, cmd_mux_done_fn *done, cmd_mux_wanted_fn *wanted,
                 void *tag, char *reason, size_t cap)
{
    call_t *call = calloc(1, sizeof *call);
    if (!call || envelope_encode(request, &call->data, &call->size) != 0) {
        snprintf(reason, cap, "request could not be encoded");
        free(call);
        return -1;
    }
    snprintf(call->id, sizeof call->id, "%s", request->id);
    snprintf(call->type, sizeof call->type, "%s", request->type);
    call->done = done;
    call->wanted = wanted;
    call->tag = tag;
    if (self->queued_last)
        self->queued_last->queue_next = call;
    else
        self->queued = call;
    self->queued_last = call;
    self->waiting++;
    admit(self);
    return 0;
}

zsock_t *cmd_mux_socket(cmd_mux_t *self)
{
    return self->socket;
}

size_t cmd_mux_waiting(const cmd_mux_t *self)
{
    return self->waiting;
}

/* Matches every reply waiting on the socket to its call; stale and undecodable ones are dropped. */
static void receive_replies(cmd_mux_t *self)
{
    zmq_msg_t msg;
    zmq_msg_init(&msg);
    while (zmq_msg_recv(&msg, zsock_resolve(self->socket), ZMQ_DONTWAIT) >= 0) {
        char why[160];
        envelope_t *reply = envelope_decode(zmq_msg_data(&msg), zmq_msg_size(&msg), why, sizeof why);
        call_t *call = reply ? zhashx_lookup(self->by_id, reply->id) : NULL;
        if (call) {
            if (self->limit < self->window)
                self->limit++;
            finish(self, call, reply, NULL);
        }
        else {
            logger_debug("dropped a reply no request waits for (%s)", reply ? reply->id : why);
            envelope_destroy(&reply);
        }
    }
    zmq_msg_close(&msg);
}

/* Sends, in order, what could not be sent before; stops at the first the socket refuses again. */
static void send_held_back(cmd_mux_t *self)
{
    for (call_t *call = call_of(self->in_flight.first); call && self->unsent; call = call_of(call->in_flight.next)) {
        if (call->sent)
            continue;
        try_send(self, call);
        if (!call->sent)
            return;
        self->unsent--;
    }
}

static void expire(cmd_mux_t *self, int64_t now)
{
    for (call_t *call; (call = call_of(self->in_flight.first)) && call->deadline <= now;) {
        if (now - self->last_cut >= self->timeout_ms) {   /* once per time-out, not once per request */
            self->limit = self->limit > 1 ? self->limit / 2 : 1;
            self->last_cut = now;
        }
        if (call->attempt < self->attempts && !still_wanted(call)) {
            finish(self, call, NULL, "nobody waits for the answer any more");
            continue;
        }
        if (call->attempt < self->attempts) {
            logger_warn("no reply to %s %s from %s (attempt %d of %d)", call->type, call->id, self->endpoints,
                        call->attempt, self->attempts);
            unlink_call(self, call);
            start_attempt(self, call, now);
            continue;
        }
        char reason[300];
        snprintf(reason, sizeof reason, "timeout: no reply from %s after %d attempts of %d ms", self->endpoints,
                 self->attempts, self->timeout_ms);
        finish(self, call, NULL, reason);
    }
}

long cmd_mux_tick(cmd_mux_t *self, int64_t now)
{
    receive_replies(self);
    send_held_back(self);
    expire(self, now);
    const call_t *first = call_of(self->in_flight.first);
    if (!first)
        return -1;
    long wait = first->deadline > now ? (long) (first->deadline - now) : 0;
    return self->unsent && wait > UNSENT_RETRY_MS ? UNSENT_RETRY_MS : wait;
}
