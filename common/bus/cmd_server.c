#include "cmd_server.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "error_reply.h"
#include "logger.h"
#include "metrics.h"
#include "zmq_endpoints.h"

#define CMD_SERVER_MAX_HANDLERS 32

typedef struct {
    char type[ENVELOPE_TYPE_MAX + 1];
    unsigned roles;
    cmd_handler_fn *fn;
    cmd_batch_fn *batch_fn;
    void *ctx;
    int linger_ms;   /* batch types only: see cmd_server_set_linger */
} handler_t;

/* A request received in this round, with its reply; `batch` is set while the reply waits for its
 * batch handler. */
typedef struct {
    zframe_t *identity;
    envelope_t *request;
    envelope_t *reply;
    const handler_t *batch;
} pending_t;

struct cmd_server_t {
    zsock_t *router;
    const curve_keys_t *keys;
    handler_t handlers[CMD_SERVER_MAX_HANDLERS];
    size_t handler_count;
    size_t last_lingering;   /* requests of lingering types the last round took */
};

cmd_server_t *cmd_server_new(const char *bind_endpoints, curve_keys_t *keys, char *reason, size_t cap)
{
    cmd_server_t *self = calloc(1, sizeof *self);
    if (!self || !(self->router = zsock_new(ZMQ_ROUTER))) {
        free(self);
        snprintf(reason, cap, "cannot create a ZeroMQ socket");
        return NULL;
    }
    zsock_set_router_mandatory(self->router, 1);
    zsock_set_linger(self->router, 500);  /* replies in flight still leave at shutdown */
    zmq_endpoints_keepalive(self->router);
    self->keys = keys;
    if (curve_keys_serve(keys, self->router, bind_endpoints, reason, cap) != 0) {
        cmd_server_destroy(&self);
        return NULL;
    }
    int bound = zmq_endpoints_attach(self->router, bind_endpoints, true, reason, cap);
    if (bound <= 0) {
        if (bound == 0)
            snprintf(reason, cap, "no endpoint to bind in '%s'", bind_endpoints);
        cmd_server_destroy(&self);
    }
    return self;
}

void cmd_server_destroy(cmd_server_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    zsock_destroy(&(*self_p)->router);
    free(*self_p);
    *self_p = NULL;
}

static int add_handler(cmd_server_t *self, const char *type, unsigned roles, cmd_handler_fn *fn,
                       cmd_batch_fn *batch_fn, void *ctx)
{
    if (self->handler_count == CMD_SERVER_MAX_HANDLERS || strlen(type) > ENVELOPE_TYPE_MAX)
        return -1;
    handler_t *h = &self->handlers[self->handler_count++];
    snprintf(h->type, sizeof h->type, "%s", type);
    h->roles = roles;
    h->fn = fn;
    h->batch_fn = batch_fn;
    h->ctx = ctx;
    return 0;
}

int cmd_server_on(cmd_server_t *self, const char *type, unsigned roles, cmd_handler_fn *handler, void *ctx)
{
    return add_handler(self, type, roles, handler, NULL, ctx);
}

int cmd_server_on_batch(cmd_server_t *self, const char *type, unsigned roles, cmd_batch_fn *handler, void *ctx)
{
    return add_handler(self, type, roles, NULL, handler, ctx);
}

zsock_t *cmd_server_socket(cmd_server_t *self)
{
    return self->router;
}

static const handler_t *find_handler(const cmd_server_t *self, const char *type)
{
    for (size_t i = 0; i < self->handler_count; i++)
        if (strcmp(self->handlers[i].type, type) == 0)
            return &self->handlers[i];
    return NULL;
}

static void count(const char *type, const char *outcome)
{
    char labels[160];
    snprintf(labels, sizeof labels, "type=\"%s\",outcome=\"%s\"", type, outcome);
    metrics_counter_add(metrics_counter("aduan_commands_total", "Commands handled, by type and outcome", labels), 1);
}

static void observe(const handler_t *handler, int64_t started)
{
    char labels[100];
    snprintf(labels, sizeof labels, "type=\"%s\"", handler->type);
    metrics_histogram_observe(metrics_histogram("aduan_command_seconds", "Time to handle a command", labels,
                                                metrics_latency_bounds, metrics_latency_bounds_count),
                              (double) (zclock_usecs() - started) / 1e6);
}

/* Runs the request through its handler, if the sender's roles may send it, and returns the reply
 * to send; for a batch handler, the reply waits in *batch for the end of the round. */
static envelope_t *dispatch(cmd_server_t *self, const envelope_t *request, unsigned sender_roles,
                            const handler_t **batch)
{
    envelope_t *reply = envelope_new_reply(request, MSG_PONG);
    if (!reply || strcmp(request->type, MSG_PING) == 0)
        return reply;
    const handler_t *handler = find_handler(self, request->type);
    if (!handler) {
        error_reply_simple(reply, ERROR_UNKNOWN_TYPE, "this server does not handle that message type");
        return reply;
    }
    if (!(handler->roles & sender_roles)) {
        logger_warn("refused %s %s: the sender's key may not send it", request->type, request->id);
        error_reply_simple(reply, ERROR_FORBIDDEN, "this key may not send that message type");
        return reply;
    }
    if (handler->batch_fn) {
        *batch = handler;
        return reply;
    }
    int64_t started = zclock_usecs();
    if (handler->fn(handler->ctx, request, reply) != 0)
        error_reply_simple(reply, ERROR_INTERNAL, "the request could not be handled");
    observe(handler, started);
    return reply;
}

static void send_reply(cmd_server_t *self, zframe_t **identity, const envelope_t *reply)
{
    unsigned char *data = NULL;
    size_t size = 0;
    if (envelope_encode(reply, &data, &size) != 0) {
        logger_error("reply to %s could not be encoded", reply->id);
        zframe_destroy(identity);
        return;
    }
    zmsg_t *msg = zmsg_new();
    zmsg_append(msg, identity);
    zmsg_addmem(msg, data, size);
    free(data);
    if (zmsg_send(&msg, self->router) != 0) {
        logger_warn("reply to %s not delivered: the client is gone", reply->id);
        zmsg_destroy(&msg);
    }
}

/* Receives one message into *p (reply ready, or waiting for its batch). 0 when received, 1 when
 * nothing is waiting (only with `wait` false), -1 when interrupted. */
static int receive(cmd_server_t *self, bool wait, pending_t *p)
{
    if (!wait && !(zsock_events(self->router) & ZMQ_POLLIN))
        return 1;
    zmsg_t *msg = zmsg_recv(self->router);
    if (!msg)
        return -1;
    if (zmsg_size(msg) != 2) {
        count("malformed", "dropped");
        zmsg_destroy(&msg);
        return 0;
    }
    p->identity = zmsg_pop(msg);
    zframe_t *payload = zmsg_pop(msg);
    zmsg_destroy(&msg);
    unsigned sender_roles = curve_keys_sender_roles(self->keys, payload);
    char reason[200];
    p->request = envelope_decode(zframe_data(payload), zframe_size(payload), reason, sizeof reason);
    zframe_destroy(&payload);
    if (!p->request) {
        logger_warn("undecodable command: %s", reason);
        p->reply = envelope_new(MSG_ERROR, 1, NULL, NULL);
        if (p->reply)
            error_reply_simple(p->reply, ERROR_BAD_MESSAGE, reason);
        return 0;
    }
    logger_set_trace(p->request->trace);
    p->reply = dispatch(self, p->request, sender_roles, &p->batch);
    logger_set_trace(NULL);
    return 0;
}

/* How many requests a batch handler gets at once: the fuller, the fewer commits per request. */
static void observe_batch(const handler_t *handler, size_t n)
{
    static const double sizes[] = {1, 2, 4, 8, 16, 32, 64, 128, 256};
    char labels[100];
    snprintf(labels, sizeof labels, "type=\"%s\"", handler->type);
    metrics_histogram_observe(metrics_histogram("aduan_command_batch_size", "Requests handled together in one call",
                                                labels, sizes, sizeof sizes / sizeof sizes[0]),
                              (double) n);
}

static void finish(cmd_server_t *self, pending_t *p)
{
    if (p->request)
        count(p->request->type, p->reply && strcmp(p->reply->type, MSG_ERROR) == 0 ? "error" : "ok");
    else if (p->reply)
        count("undecodable", ERROR_BAD_MESSAGE);
    if (p->reply)
        send_reply(self, &p->identity, p->reply);
    zframe_destroy(&p->identity);
    envelope_destroy(&p->reply);
    envelope_destroy(&p->request);
}

/* Every batch handler once, in the order they were registered, with the requests of this round
 * that are its own; each handler's replies leave as soon as it returns, so a handler registered
 * first is not kept waiting by the ones after it. */
static void run_batches(cmd_server_t *self, pending_t *pending, size_t count)
{
    const envelope_t **requests = calloc(count, sizeof *requests);
    envelope_t **replies = calloc(count, sizeof *replies);
    for (size_t h = 0; h < self->handler_count && requests && replies; h++) {
        const handler_t *handler = &self->handlers[h];
        size_t n = 0;
        for (size_t i = 0; i < count; i++)
            if (pending[i].batch == handler) {
                requests[n] = pending[i].request;
                replies[n++] = pending[i].reply;
            }
        if (n == 0)
            continue;
        observe_batch(handler, n);
        int64_t started = zclock_usecs();
        if (handler->batch_fn(handler->ctx, requests, replies, n) != 0)
            for (size_t i = 0; i < n; i++)
                error_reply_simple(replies[i], ERROR_INTERNAL, "the request could not be handled");
        for (size_t i = 0; i < n; i++)
            observe(handler, started);
        for (size_t i = 0; i < count; i++)
            if (pending[i].batch == handler)
                finish(self, &pending[i]);
    }
    if (!requests || !replies)   /* out of memory: answer rather than leave the senders waiting */
        for (size_t i = 0; i < count; i++) {
            error_reply_simple(pending[i].reply, ERROR_INTERNAL, "the request could not be handled");
            finish(self, &pending[i]);
        }
    free(requests);
    free(replies);
}

int cmd_server_set_linger(cmd_server_t *self, const char *type, int linger_ms)
{
    for (size_t i = 0; i < self->handler_count; i++)
        if (self->handlers[i].batch_fn && strcmp(self->handlers[i].type, type) == 0) {
            self->handlers[i].linger_ms = linger_ms;
            return 0;
        }
    return -1;
}

/* What a round has taken of the types that linger: how many, and the longest linger among them. */
typedef struct {
    size_t count;
    int linger_ms;
} lingering_t;

static void note_lingering(lingering_t *round, const handler_t *batch)
{
    if (!batch || batch->linger_ms <= 0)
        return;
    round->count++;
    if (batch->linger_ms > round->linger_ms)
        round->linger_ms = batch->linger_ms;
}

/* Whether the round should wait for more before running its batches: only when it holds a request
 * of a lingering type under a flow of them (the last round took more than one), so that a lone
 * request never waits, and until its linger after it first found its queue empty (*until, set then). */
static bool lingering(const cmd_server_t *self, const lingering_t *round, int64_t *until)
{
    if (round->count == 0 || self->last_lingering < 2)
        return false;
    if (*until == 0)
        *until = zclock_mono() + round->linger_ms;
    return zclock_mono() < *until;
}

/* receive() of the first message to arrive before `until`; 1 when none did (or the wait was
 * interrupted: the round then runs what it has). */
static int receive_before(cmd_server_t *self, int64_t until, pending_t *p)
{
    zmq_pollitem_t item = {zsock_resolve(self->router), 0, ZMQ_POLLIN, 0};
    int64_t left = until - zclock_mono();
    if (left <= 0 || zmq_poll(&item, 1, (long) left) <= 0)
        return 1;
    return receive(self, false, p);
}

int cmd_server_handle_waiting(cmd_server_t *self, size_t max)
{
    size_t bound = max ? max : 1;
    pending_t *batched = calloc(bound, sizeof *batched);
    if (!batched)
        return -1;
    size_t taken = 0, n = 0;
    lingering_t round = {0, 0};
    int64_t linger_until = 0;
    int rc = 0;
    while (taken < bound) {
        rc = receive(self, taken == 0, &batched[n]);
        while (rc == 1 && lingering(self, &round, &linger_until))
            rc = receive_before(self, linger_until, &batched[n]);
        if (rc != 0)
            break;
        note_lingering(&round, batched[n].batch);
        taken++;
        if (batched[n].batch)
            n++;
        else   /* answered already: its sender need not wait for the batch's commit */
            finish(self, &batched[n]);
    }
    run_batches(self, batched, n);
    self->last_lingering = round.count;
    free(batched);
    return taken > 0 || rc >= 0 ? 0 : -1;
}

int cmd_server_handle_one(cmd_server_t *self)
{
    return cmd_server_handle_waiting(self, 1);
}
