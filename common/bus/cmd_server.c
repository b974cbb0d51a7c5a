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
    void *ctx;
} handler_t;

struct cmd_server_t {
    zsock_t *router;
    const curve_keys_t *keys;
    handler_t handlers[CMD_SERVER_MAX_HANDLERS];
    size_t handler_count;
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

int cmd_server_on(cmd_server_t *self, const char *type, unsigned roles, cmd_handler_fn *handler, void *ctx)
{
    if (self->handler_count == CMD_SERVER_MAX_HANDLERS || strlen(type) > ENVELOPE_TYPE_MAX)
        return -1;
    handler_t *h = &self->handlers[self->handler_count++];
    snprintf(h->type, sizeof h->type, "%s", type);
    h->roles = roles;
    h->fn = handler;
    h->ctx = ctx;
    return 0;
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

/* Runs the request through its handler, if the sender's roles may send it, and returns the reply
 * to send. */
static envelope_t *dispatch(cmd_server_t *self, const envelope_t *request, unsigned sender_roles)
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
    int64_t started = zclock_usecs();
    if (handler->fn(handler->ctx, request, reply) != 0)
        error_reply_simple(reply, ERROR_INTERNAL, "the request could not be handled");
    char labels[100];
    snprintf(labels, sizeof labels, "type=\"%s\"", handler->type);
    metrics_histogram_observe(metrics_histogram("aduan_command_seconds", "Time to handle a command", labels,
                                                metrics_latency_bounds, metrics_latency_bounds_count),
                              (double) (zclock_usecs() - started) / 1e6);
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

int cmd_server_handle_one(cmd_server_t *self)
{
    zmsg_t *msg = zmsg_recv(self->router);
    if (!msg)
        return -1;
    if (zmsg_size(msg) != 2) {
        count("malformed", "dropped");
        zmsg_destroy(&msg);
        return 0;
    }
    zframe_t *identity = zmsg_pop(msg);
    zframe_t *payload = zmsg_pop(msg);
    zmsg_destroy(&msg);
    unsigned sender_roles = curve_keys_sender_roles(self->keys, payload);
    char reason[200];
    envelope_t *request = envelope_decode(zframe_data(payload), zframe_size(payload), reason, sizeof reason);
    zframe_destroy(&payload);
    envelope_t *reply;
    if (!request) {
        logger_warn("undecodable command: %s", reason);
        count("undecodable", ERROR_BAD_MESSAGE);
        reply = envelope_new(MSG_ERROR, 1, NULL, NULL);
        if (reply)
            error_reply_simple(reply, ERROR_BAD_MESSAGE, reason);
    } else {
        logger_set_trace(request->trace);
        reply = dispatch(self, request, sender_roles);
        count(request->type, reply && strcmp(reply->type, MSG_ERROR) == 0 ? "error" : "ok");
    }
    if (reply)
        send_reply(self, &identity, reply);
    zframe_destroy(&identity);
    envelope_destroy(&reply);
    envelope_destroy(&request);
    logger_set_trace(NULL);
    return 0;
}
