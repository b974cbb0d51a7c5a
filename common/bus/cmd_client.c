#include "cmd_client.h"

#include <czmq.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "logger.h"
#include "zmq_endpoints.h"

struct cmd_client_t {
    char *endpoints;
    const curve_keys_t *keys;
    char *server;
    int timeout_ms;
    int attempts;
    zsock_t *socket;
};

zsock_t *cmd_client_connect(const char *endpoints, const curve_keys_t *keys, const char *server, char *reason,
                           size_t cap)
{
    zsock_t *socket = zsock_new(ZMQ_DEALER);
    if (!socket) {
        snprintf(reason, cap, "cannot create a ZeroMQ socket");
        return NULL;
    }
    zsock_set_immediate(socket, 1);
    zsock_set_linger(socket, 0);
    zmq_endpoints_keepalive(socket);
    if (curve_keys_connect(keys, socket, server, reason, cap) != 0) {
        zsock_destroy(&socket);
        return NULL;
    }
    int connected = zmq_endpoints_attach(socket, endpoints, false, reason, cap);
    if (connected <= 0) {
        if (connected == 0)
            snprintf(reason, cap, "no endpoint in '%s'", endpoints);
        zsock_destroy(&socket);
    }
    return socket;
}

static zsock_t *open_socket(const cmd_client_t *self, char *reason, size_t cap)
{
    return cmd_client_connect(self->endpoints, self->keys, self->server, reason, cap);
}

cmd_client_t *cmd_client_new(const char *endpoints, int timeout_ms, int attempts, const curve_keys_t *keys,
                             const char *server, char *reason, size_t cap)
{
    reason[0] = '\0';
    cmd_client_t *self = calloc(1, sizeof *self);
    if (!self || !(self->endpoints = strdup(endpoints)) || !(self->server = strdup(server ? server : ""))) {
        if (self)
            free(self->endpoints);
        free(self);
        snprintf(reason, cap, "out of memory");
        return NULL;
    }
    self->keys = keys;
    self->timeout_ms = timeout_ms > 0 ? timeout_ms : 2000;
    self->attempts = attempts > 0 ? attempts : 1;
    self->socket = open_socket(self, reason, cap);
    if (!self->socket)
        cmd_client_destroy(&self);
    return self;
}

void cmd_client_destroy(cmd_client_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    zsock_destroy(&(*self_p)->socket);
    free((*self_p)->endpoints);
    free((*self_p)->server);
    free(*self_p);
    *self_p = NULL;
}

/* The reply to `id` if one arrives before `deadline`; stale replies of earlier requests are dropped. */
static envelope_t *await_reply(cmd_client_t *self, const unsigned char *data, size_t size, const char *id,
                               int64_t deadline)
{
    void *handle = zsock_resolve(self->socket);
    bool sent = false;
    for (int64_t now = zclock_mono(); now < deadline && !zsys_interrupted; now = zclock_mono()) {
        if (!sent) {
            sent = zmq_send(handle, data, size, ZMQ_DONTWAIT) >= 0;
            if (!sent && errno != EAGAIN)
                return NULL;
        }
        zmq_pollitem_t item = {handle, 0, ZMQ_POLLIN, 0};
        long wait = (long) (deadline - now);
        if (!sent && wait > 20)
            wait = 20;   /* not sent yet (high-water mark): try again soon */
        if (zmq_poll(&item, 1, wait) <= 0 || !(item.revents & ZMQ_POLLIN))
            continue;
        zframe_t *frame = zframe_recv(self->socket);
        char why[160];
        envelope_t *reply = frame ? envelope_decode(zframe_data(frame), zframe_size(frame), why, sizeof why) : NULL;
        zframe_destroy(&frame);
        if (reply && strcmp(reply->id, id) == 0)
            return reply;
        logger_debug("dropped a reply that is not for request %s", id);
        envelope_destroy(&reply);
    }
    return NULL;
}

envelope_t *cmd_client_call(cmd_client_t *self, const envelope_t *request, char *reason, size_t cap)
{
    unsigned char *data = NULL;
    size_t size = 0;
    if (envelope_encode(request, &data, &size) != 0) {
        snprintf(reason, cap, "request could not be encoded");
        return NULL;
    }
    envelope_t *reply = NULL;
    for (int attempt = 1; attempt <= self->attempts && !reply && !zsys_interrupted; attempt++) {
        if (!self->socket && !(self->socket = open_socket(self, reason, cap)))
            break;
        reply = await_reply(self, data, size, request->id, zclock_mono() + self->timeout_ms);
        if (!reply) {
            /* Lazy Pirate: the peer may be gone with our request; start over on a new socket. */
            logger_warn("no reply to %s %s from %s (attempt %d of %d)", request->type, request->id,
                        self->endpoints, attempt, self->attempts);
            zsock_destroy(&self->socket);
        }
    }
    free(data);
    if (!reply)
        snprintf(reason, cap, "%s: no reply from %s after %d attempts of %d ms", zsys_interrupted ? "interrupted" : "timeout",
                 self->endpoints, self->attempts, self->timeout_ms);
    return reply;
}
