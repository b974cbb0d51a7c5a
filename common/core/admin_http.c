#include "admin_http.h"

#include <arpa/inet.h>
#include <microhttpd.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "logger.h"
#include "metrics.h"
#include "net_address.h"
#include "process_memory.h"

struct admin_http_t {
    struct MHD_Daemon *daemon;
    uint16_t port;
    pthread_mutex_t lock;
    bool ready;
    char why_not[256];
};

static enum MHD_Result respond(struct MHD_Connection *connection, unsigned status,
                               const char *content_type, char *body, enum MHD_ResponseMemoryMode mode)
{
    struct MHD_Response *response = MHD_create_response_from_buffer(strlen(body), body, mode);
    if (!response)
        return MHD_NO;
    MHD_add_response_header(response, "Content-Type", content_type);
    enum MHD_Result rc = MHD_queue_response(connection, status, response);
    MHD_destroy_response(response);
    return rc;
}

static enum MHD_Result readiness(admin_http_t *self, struct MHD_Connection *connection)
{
    char text[300];
    pthread_mutex_lock(&self->lock);
    bool ready = self->ready;
    snprintf(text, sizeof text, "%s\n", ready ? "ready" : self->why_not);
    pthread_mutex_unlock(&self->lock);
    return respond(connection, ready ? 200 : 503, "text/plain; charset=utf-8", text, MHD_RESPMEM_MUST_COPY);
}

static enum MHD_Result handle(void *cls, struct MHD_Connection *connection, const char *url,
                              const char *method, const char *version, const char *upload_data,
                              size_t *upload_data_size, void **request_state)
{
    (void) version, (void) upload_data, (void) request_state;
    admin_http_t *self = cls;
    if (*upload_data_size) {
        *upload_data_size = 0;  /* nothing here takes a body: discard it */
        return MHD_YES;
    }
    if (strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0)
        return respond(connection, 405, "text/plain; charset=utf-8", "method not allowed\n", MHD_RESPMEM_PERSISTENT);
    if (strcmp(url, "/healthz") == 0)
        return respond(connection, 200, "text/plain; charset=utf-8", "ok\n", MHD_RESPMEM_PERSISTENT);
    if (strcmp(url, "/readyz") == 0)
        return readiness(self, connection);
    if (strcmp(url, "/metrics") == 0) {
        process_memory_publish();
        char *text = metrics_render();
        if (!text)
            return respond(connection, 500, "text/plain; charset=utf-8", "out of memory\n", MHD_RESPMEM_PERSISTENT);
        return respond(connection, 200, "text/plain; version=0.0.4; charset=utf-8", text, MHD_RESPMEM_MUST_FREE);
    }
    return respond(connection, 404, "text/plain; charset=utf-8", "not found\n", MHD_RESPMEM_PERSISTENT);
}

admin_http_t *admin_http_new(const char *listen, char *reason, size_t cap)
{
    struct sockaddr_in address;
    if (net_address_parse(listen, &address, reason, cap) != 0)
        return NULL;
    admin_http_t *self = calloc(1, sizeof *self);
    if (!self) {
        snprintf(reason, cap, "out of memory");
        return NULL;
    }
    pthread_mutex_init(&self->lock, NULL);
    snprintf(self->why_not, sizeof self->why_not, "starting");
    /* epoll, not select(): in a gateway holding thousands of HTTP connections this socket's
     * descriptors are above FD_SETSIZE, and select() would turn every probe away. */
    self->daemon = MHD_start_daemon(MHD_USE_EPOLL_INTERNAL_THREAD | MHD_USE_ERROR_LOG, 0, NULL, NULL,
                                    handle, self, MHD_OPTION_SOCK_ADDR, (struct sockaddr *) &address,
                                    MHD_OPTION_CONNECTION_LIMIT, (unsigned) 64,
                                    MHD_OPTION_CONNECTION_TIMEOUT, (unsigned) 10, MHD_OPTION_END);
    if (!self->daemon) {
        snprintf(reason, cap, "cannot listen on %s", listen);
        pthread_mutex_destroy(&self->lock);
        free(self);
        return NULL;
    }
    const union MHD_DaemonInfo *info = MHD_get_daemon_info(self->daemon, MHD_DAEMON_INFO_BIND_PORT);
    self->port = info ? info->port : ntohs(address.sin_port);
    return self;
}

void admin_http_destroy(admin_http_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    admin_http_t *self = *self_p;
    MHD_stop_daemon(self->daemon);
    pthread_mutex_destroy(&self->lock);
    free(self);
    *self_p = NULL;
}

uint16_t admin_http_port(const admin_http_t *self)
{
    return self->port;
}

void admin_http_set_ready(admin_http_t *self, bool ready, const char *why_not)
{
    pthread_mutex_lock(&self->lock);
    if (!ready && why_not && strcmp(self->why_not, why_not) != 0)
        logger_info("not ready: %s", why_not);
    self->ready = ready;
    snprintf(self->why_not, sizeof self->why_not, "%s", ready || !why_not ? "" : why_not);
    pthread_mutex_unlock(&self->lock);
}
