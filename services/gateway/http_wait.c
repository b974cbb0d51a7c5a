#include "http_wait.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <sys/socket.h>

#include "command_links.h"
#include "metrics.h"

static atomic_uint waiting;
static metrics_gauge_t *waiting_gauge;
static pthread_once_t gauge_once = PTHREAD_ONCE_INIT;

static void make_gauge(void)
{
    waiting_gauge = metrics_gauge("aduan_http_waiting_requests", "HTTP requests waiting for a service's reply", NULL);
}

void http_wait_publish_gauge(void)
{
    pthread_once(&gauge_once, make_gauge);
}

/* Two HTTP threads may count at once: the gauge is moved, not set to what each one read. */
static void count_waiting(int change)
{
    if (change > 0)
        atomic_fetch_add(&waiting, 1);
    else
        atomic_fetch_sub(&waiting, 1);
    http_wait_publish_gauge();
    metrics_gauge_add(waiting_gauge, change);
}

/* On the dispatcher's thread: keeps the result for the next pass and wakes the connection. The
 * HTTP thread touches the request no more once it handed the command over, and libmicrohttpd
 * runs the next pass only after the resume, so the request is the dispatcher's until then. */
static void on_result(void *tag, envelope_t *reply, const char *reason)
{
    request_t *req = tag;
    command_result_t *result = &req->results[req->results_count];
    result->reply = reply;
    snprintf(result->reason, sizeof result->reason, "%s", reason ? reason : "");
    req->results_count++;
    MHD_resume_connection(req->connection);
}

/* On the dispatcher's thread, before the command is sent (again): whether the client is still
 * connected. A suspended connection is not read by libmicrohttpd, which so cannot notice a client
 * that hung up; a peek can: end of stream or an error, and the command is not worth sending. */
static bool client_waits(void *tag)
{
    const request_t *req = tag;
    char byte;
    ssize_t got = recv(req->client_fd, &byte, 1, MSG_PEEK | MSG_DONTWAIT);
    return got > 0 || (got < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR));
}

/* Suspends the connection first, then sends: a reply can never come before the suspension. */
static void wait_for_result(struct MHD_Connection *c, request_t *req)
{
    envelope_t *command = req->outgoing;
    req->outgoing = NULL;
    const union MHD_ConnectionInfo *info = MHD_get_connection_info(c, MHD_CONNECTION_INFO_CONNECTION_FD);
    req->client_fd = info ? info->connect_fd : MHD_INVALID_SOCKET;
    MHD_suspend_connection(c);
    req->suspended = true;
    count_waiting(+1);
    char reason[256];
    if (command_links_send(req->outgoing_peer, command, on_result, info ? client_waits : NULL, req, reason,
                           sizeof reason) != 0)
        on_result(req, NULL, reason);
}

enum MHD_Result http_wait_run(struct MHD_Connection *c, request_t *req, http_handler_fn *handler, const char *method,
                              const char *url)
{
    bool resumed = req->suspended;
    req->suspended = false;
    req->connection = c;
    req->pass_commands = req->pass_admissions = 0;
    enum MHD_Result rc = handler(c, req, method, url);
    if (req->outgoing) {
        wait_for_result(c, req);
        rc = MHD_YES;
    }
    if (resumed)   /* after a new suspension is counted, so the count never falls to 0 in between */
        count_waiting(-1);
    return rc;
}

void http_wait_clear(request_t *req)
{
    if (req->suspended) {   /* resumed, then closed (the client left) before its next pass */
        req->suspended = false;
        count_waiting(-1);
    }
    envelope_destroy(&req->outgoing);
    for (unsigned i = 0; i < req->results_count; i++)
        envelope_destroy(&req->results[i].reply);
    req->results_count = 0;
}

unsigned http_wait_count(void)
{
    return atomic_load(&waiting);
}
