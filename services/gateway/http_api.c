#include "http_api.h"

#include <jansson.h>
#include <stdatomic.h>
#include <microhttpd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "embedded_file.h"
#include "error_reply.h"
#include "action_api.h"
#include "attachment_api.h"
#include "http_reply.h"
#include "http_wait.h"
#include "live_api.h"
#include "notify_api.h"
#include "open311_api.h"
#include "open311_keys_api.h"
#include "public_list_api.h"
#include "reporter_sign_in_api.h"
#include "support_api.h"
#include "follow_api.h"
#include "stats_api.h"
#include "desk_saved_filters.h"
#include "staff_admin_api.h"
#include "staff_api.h"
#include "logger.h"
#include "metrics.h"
#include "msgpack_fields.h"
#include "net_address.h"
#include "problem.h"
#include "reference_codec.h"
#include "request_limits.h"
#include "report_json.h"
#include "report_rules.h"
#include "tracking_api.h"
#include "tracking_id.h"
#include "config_api.h"
#include "console_pages.h"
#include "web_pages.h"

extern const embedded_file_t gateway_documents[];

struct http_api_t {
    struct MHD_Daemon *daemon;
    uint16_t port;
    atomic_uint_fast64_t ended;   /* requests ended, for idle_memory.h */
};

/* The Idempotency-Key header as the command's key; without one, the request id (so a resent
 * command is still the same submission). NULL when the header is malformed. */
static char *idempotency_key(struct MHD_Connection *c, const request_t *req)
{
    const char *header = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Idempotency-Key");
    if (header && !report_idempotency_key_valid(header))
        return NULL;
    char *key = malloc(REPORT_COMMAND_KEY_MAX + 1);
    if (key)
        snprintf(key, REPORT_COMMAND_KEY_MAX + 1, "%s%s", header ? "http:" : "req:", header ? header : req->id);
    return key;
}

static enum MHD_Result answer_receipt(struct MHD_Connection *c, request_t *req, const envelope_t *reply)
{
    report_receipt_t receipt;
    char why[200], location[96];
    if (report_receipt_decode(reply->body, reply->body_size, &receipt, why, sizeof why) != 0) {
        logger_error("undecodable receipt from intake: %s", why);
        return http_send_problem(c, req, &PROBLEM_INTERNAL, NULL, NULL, NULL);
    }
    snprintf(location, sizeof location, "/api/v1/reports/%s", receipt.tracking_id);
    const char *const headers[] = {"Location", location, "Cache-Control", "no-store", NULL};
    enum MHD_Result rc = http_send_json(c, req, 201, report_json_from_receipt(&receipt), headers);
    report_receipt_clear(&receipt);
    return rc;
}

static enum MHD_Result answer_submission(struct MHD_Connection *c, request_t *req, envelope_t *reply,
                                         const char *reason)
{
    enum MHD_Result rc = reply && strcmp(reply->type, MSG_REPORT_RECEIPT) == 0
                             ? answer_receipt(c, req, reply) : http_send_command_failure(c, req, reply, reason);
    envelope_destroy(&reply);
    return rc;
}

/* Forwards a valid submission to intake and answers with what it said. */
static enum MHD_Result forward_submission(struct MHD_Connection *c, request_t *req, const report_submission_t *s)
{
    unsigned char *body = NULL;
    size_t size = 0;
    char reason[256];
    if (report_submission_encode(s, &body, &size) != 0)
        return http_send_problem(c, req, &PROBLEM_INTERNAL, NULL, NULL, NULL);
    return answer_submission(c, req, http_command(req, PEER_INTAKE, MSG_REPORT_SUBMIT, body, size, reason, sizeof reason),
                             reason);
}

static enum MHD_Result submit_report(struct MHD_Connection *c, request_t *req)
{
    enum MHD_Result rc;
    char reason[256];
    /* Intake has answered: the submission was read, checked and admitted by the pass that sent it
     * (parsing it again was a tenth of the gateway's CPU a submission). */
    if (http_command_answered(req))
        return answer_submission(c, req, http_command(req, PEER_INTAKE, MSG_REPORT_SUBMIT, NULL, 0, reason, sizeof reason),
                                 reason);
    json_t *root = http_read_json(c, req, &rc);
    if (!root)
        return rc;
    report_submission_t s;
    memset(&s, 0, sizeof s);
    field_errors_t errors;
    field_errors_clear(&errors);
    if (!(s.idempotency_key = idempotency_key(c, req)))
        rc = http_send_problem(c, req, &PROBLEM_MALFORMED, "Idempotency-Key must be 16 to 200 printable ASCII characters (send a UUIDv4)", NULL, NULL);
    else if (report_json_to_submission(root, &s, &errors) != 0)
        rc = http_send_problem(c, req, &PROBLEM_VALIDATION, "the report has invalid fields", &errors, NULL);
    else if (request_limits_admit(c, req, RATE_SUBMISSION, NULL, &rc))
        rc = forward_submission(c, req, &s);
    json_decref(root);
    report_submission_clear(&s);
    return rc;
}

static enum MHD_Result get_report(struct MHD_Connection *c, request_t *req, const char *typed_id)
{
    char tracking_id[TRACKING_ID_LEN + 1], reason[256];
    if (tracking_id_normalize(typed_id, tracking_id) != 0)
        return http_send_problem(c, req, &PROBLEM_NOT_FOUND, "no report has this tracking id", NULL, NULL);
    enum MHD_Result rc;
    if (tracking_api_answer_kept(c, req, tracking_id, &rc))
        return rc;
    report_lookup_t lookup = {NULL, NULL};
    unsigned char *body = NULL;
    size_t size = 0;
    int encoded = mpf_set_string(&lookup.tracking_id, tracking_id) == 0
                  && mpf_set_string(&lookup.reporter_token, http_bearer_token(c)) == 0
                  && report_lookup_encode(&lookup, &body, &size) == 0;
    report_lookup_clear(&lookup);
    if (!encoded)
        return http_send_problem(c, req, &PROBLEM_INTERNAL, NULL, NULL, NULL);
    envelope_t *reply = http_command(req, PEER_INTAKE, MSG_REPORT_GET, body, size, reason, sizeof reason);
    report_view_t view;
    if (reply && strcmp(reply->type, MSG_REPORT_VIEW) == 0
        && report_view_decode(reply->body, reply->body_size, &view, reason, sizeof reason) == 0) {
        static const char *const headers[] = {"Cache-Control", "no-store", NULL};
        json_t *doc = report_json_from_view(&view);
        char *text = doc ? json_dumps(doc, JSON_COMPACT) : NULL;
        json_decref(doc);
        if (text)
            tracking_api_keep(c, req, tracking_id, text);
        rc = text ? http_send_text(c, req, 200, "application/json; charset=utf-8", text, headers)
                  : http_send_problem(c, req, &PROBLEM_INTERNAL, NULL, NULL, NULL);
        report_view_clear(&view);
    } else
        rc = http_send_command_failure(c, req, reply, reason);
    envelope_destroy(&reply);
    return rc;
}

static enum MHD_Result list_reference(struct MHD_Connection *c, request_t *req, const char *table)
{
    reference_query_t query = {NULL};
    unsigned char *body = NULL;
    size_t size = 0;
    char reason[256];
    int encoded = mpf_set_string(&query.table, table) == 0 && reference_query_encode(&query, &body, &size) == 0;
    reference_query_clear(&query);
    if (!encoded)
        return http_send_problem(c, req, &PROBLEM_INTERNAL, NULL, NULL, NULL);
    envelope_t *reply = http_command(req, PEER_INTAKE, MSG_REFERENCE_LIST, body, size, reason, sizeof reason);
    reference_list_t list;
    enum MHD_Result rc;
    if (reply && strcmp(reply->type, MSG_REFERENCE_ITEMS) == 0
        && reference_list_decode(reply->body, reply->body_size, &list, reason, sizeof reason) == 0) {
        static const char *const headers[] = {"Cache-Control", "public, max-age=60", NULL};
        rc = http_send_json(c, req, 200, report_json_from_reference_list(&list), headers);
        reference_list_clear(&list);
    } else
        rc = http_send_command_failure(c, req, reply, reason);
    envelope_destroy(&reply);
    return rc;
}

static enum MHD_Result serve_openapi(struct MHD_Connection *c, request_t *req)
{
    char *copy = strdup(gateway_documents[0].data);
    if (!copy)
        return http_send_problem(c, req, &PROBLEM_INTERNAL, NULL, NULL, NULL);
    return http_send_text(c, req, 200, "application/json; charset=utf-8", copy, NULL);
}

#define API "/api/v1"

static enum MHD_Result route(struct MHD_Connection *c, request_t *req, const char *method, const char *url)
{
    static const char *const tables[] = {"categories", "regions", "institutions"};
    bool get = strcmp(method, "GET") == 0 || strcmp(method, "HEAD") == 0, handled = false;
    /* Each endpoint module answers the URLs it owns and leaves the rest to the next. */
    static http_route_fn *const modules[] = {staff_admin_api_route, staff_api_route,       notify_api_route,       stats_api_route,
                                             open311_api_route,     open311_keys_api_route, console_pages_route,
                                             web_pages_route,       attachment_api_route,   public_list_api_route,
                                             support_api_route,     follow_api_route,       reporter_sign_in_api_route,
                                             desk_saved_filters_route, live_api_route,   config_api_route};
    enum MHD_Result rc = MHD_NO;
    for (size_t i = 0; i < sizeof modules / sizeof modules[0] && !handled; i++)
        rc = modules[i](c, req, method, url, &handled);
    if (handled)
        return rc;
    bool under_reports = strncmp(url, API "/reports/", sizeof API "/reports/" - 1) == 0;
    const char *report_path = under_reports ? url + sizeof API "/reports/" - 1 : "";
    const char *slash = strchr(report_path, '/');
    if (slash && strcmp(slash, "/actions") == 0) {
        req->route = "report_actions";
        char typed[64];
        snprintf(typed, sizeof typed, "%.*s", (int) (slash - report_path), report_path);
        return strcmp(method, "POST") == 0 ? action_api_post(c, req, typed) : http_wrong_method(c, req, "POST");
    }
    if (strcmp(url, API "/reports") == 0) {
        req->route = "reports";
        return strcmp(method, "POST") == 0 ? submit_report(c, req) : http_wrong_method(c, req, "GET, HEAD, POST");
    }
    if (strncmp(url, API "/reports/", sizeof API "/reports/" - 1) == 0 && !strchr(url + sizeof API "/reports/" - 1, '/')) {
        req->route = "report";
        return get ? get_report(c, req, url + sizeof API "/reports/" - 1) : http_wrong_method(c, req, "GET, HEAD");
    }
    for (size_t i = 0; i < sizeof tables / sizeof tables[0]; i++) {
        if (strncmp(url, API "/", sizeof API) == 0 && strcmp(url + sizeof API, tables[i]) == 0) {
            req->route = tables[i];
            return get ? list_reference(c, req, tables[i]) : http_wrong_method(c, req, "GET, HEAD");
        }
    }
    if (strcmp(url, API "/openapi.json") == 0) {
        req->route = "openapi";
        return get ? serve_openapi(c, req) : http_wrong_method(c, req, "GET, HEAD");
    }
    req->route = "unknown";
    return http_send_problem(c, req, &PROBLEM_NOT_FOUND, "no such resource", NULL, NULL);
}

/* Once the gateway stops, requests in hand are finished and new ones refused, so that stopping
 * ends even while clients keep sending on their open connections. */
static atomic_bool stopping;

static enum MHD_Result refuse_while_stopping(struct MHD_Connection *c, request_t *req)
{
    static const char *const headers[] = {"Retry-After", "2", "Connection", "close", NULL};
    return http_send_problem(c, req, &PROBLEM_UNAVAILABLE, "the gateway is stopping; try again", NULL, headers);
}

static void collect(request_t *req, const char *data, size_t size)
{
    if (req->too_large || req->size + size > req->body_max) {
        req->too_large = true;  /* keep reading (and dropping) so the answer reaches the client */
        return;
    }
    char *grown = realloc(req->body, req->size + size + 1);
    if (!grown) {
        req->too_large = true;
        return;
    }
    memcpy(grown + req->size, data, size);
    req->size += size;
    grown[req->size] = '\0';
    req->body = grown;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url, const char *method,
                                  const char *version, const char *upload_data, size_t *upload_size, void **state)
{
    (void) cls, (void) version;
    request_t *req = *state;
    if (!req) {
        if (!(req = calloc(1, sizeof *req)))
            return MHD_NO;
        envelope_random_id(req->id);
        clock_gettime(CLOCK_MONOTONIC, &req->started);
        /* Routed once the whole body is in; a request that ends before (cut off mid-body, refused
         * as too large) is logged and counted apart from one for no such resource ("unknown"). */
        req->route = "unrouted";
        *state = req;
        req->body_max = attachment_api_body_max(method, url);
        const char *length = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Content-Length");
        if (length && strtoull(length, NULL, 10) > req->body_max) {
            char detail[64];
            snprintf(detail, sizeof detail, "the body may be at most %zu bytes", req->body_max);
            logger_set_trace(req->id);
            return http_send_problem(c, req, &PROBLEM_TOO_LARGE, detail, NULL, NULL);
        }
        return MHD_YES;
    }
    if (*upload_size) {
        collect(req, upload_data, *upload_size);
        *upload_size = 0;
        return MHD_YES;
    }
    logger_set_trace(req->id);
    enum MHD_Result rc = atomic_load(&stopping) && !req->suspended && !req->results_count
                             ? refuse_while_stopping(c, req) : http_wait_run(c, req, route, method, url);
    tracking_api_after_change(req, method, url);
    logger_set_trace(NULL);
    return rc;
}

/* How libmicrohttpd ended a request other than by sending its answer; NULL when it did. */
static const char *ended_early(enum MHD_RequestTerminationCode code)
{
    switch (code) {
    case MHD_REQUEST_TERMINATED_COMPLETED_OK:
        return NULL;
    case MHD_REQUEST_TERMINATED_TIMEOUT_REACHED:
        return "the idle time-out";
    case MHD_REQUEST_TERMINATED_WITH_ERROR:
        return "an error";
    case MHD_REQUEST_TERMINATED_DAEMON_SHUTDOWN:
        return "the server's stop";
    case MHD_REQUEST_TERMINATED_READ_ERROR:
    case MHD_REQUEST_TERMINATED_CLIENT_ABORT:
    default:
        return "the client leaving";
    }
}

/* A request the idle time-out ended was begun and never answered: worth a warning. An error is
 * most often the client resetting its connection during the answer, which is no news. */
static void log_end(const request_t *req, double seconds, enum MHD_RequestTerminationCode code)
{
    const char *cause = ended_early(code);
    char ending[48] = "";
    if (cause)
        snprintf(ending, sizeof ending, " ended by %s", cause);
    logger_set_trace(req->id);
    if (code == MHD_REQUEST_TERMINATED_TIMEOUT_REACHED)
        logger_warn("http route=%s status=%u ms=%.1f%s", req->route, req->status, seconds * 1000, ending);
    else
        logger_info("http route=%s status=%u ms=%.1f%s", req->route, req->status, seconds * 1000, ending);
    logger_set_trace(NULL);
}

static void on_completed(void *cls, struct MHD_Connection *c, void **state, enum MHD_RequestTerminationCode code)
{
    (void) c;
    http_api_t *self = cls;
    request_t *req = *state;
    if (!req)
        return;
    atomic_fetch_add(&self->ended, 1);
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    double seconds = (double) (now.tv_sec - req->started.tv_sec) + (double) (now.tv_nsec - req->started.tv_nsec) / 1e9;
    char labels[96];
    snprintf(labels, sizeof labels, "route=\"%s\",status=\"%u\"", req->route, req->status);
    metrics_counter_add(metrics_counter("aduan_http_requests_total", "HTTP requests by route and status", labels), 1);
    snprintf(labels, sizeof labels, "route=\"%s\"", req->route);
    metrics_histogram_observe(metrics_histogram("aduan_http_request_seconds", "HTTP request latency", labels,
                                                metrics_latency_bounds, metrics_latency_bounds_count), seconds);
    log_end(req, seconds, code);
    http_wait_clear(req);
    free(req->body);
    free(req);
    *state = NULL;
}

/* libmicrohttpd hands us its own format strings. */
static void on_mhd_error(void *cls, const char *fmt, va_list ap) __attribute__((format(printf, 2, 0)));
static void on_mhd_error(void *cls, const char *fmt, va_list ap)
{
    (void) cls;
    char text[300];
    vsnprintf(text, sizeof text, fmt, ap);
    logger_warn("http server: %s", text);
}

http_api_t *http_api_new(const char *listen, const http_api_limits_t *limits, char *reason, size_t cap)
{
    struct sockaddr_in address;
    if (net_address_parse(listen, &address, reason, cap) != 0)
        return NULL;
    http_api_t *self = calloc(1, sizeof *self);
    if (!self)
        return NULL;
    atomic_store(&stopping, false);
    http_wait_publish_gauge();
    self->daemon = MHD_start_daemon(
        MHD_USE_EPOLL_INTERNAL_THREAD | MHD_USE_ERROR_LOG | MHD_ALLOW_SUSPEND_RESUME, 0, NULL, NULL, on_request, NULL,
        MHD_OPTION_EXTERNAL_LOGGER, on_mhd_error, NULL,  /* first, or earlier options log to stderr */
        MHD_OPTION_SOCK_ADDR, (struct sockaddr *) &address, MHD_OPTION_THREAD_POOL_SIZE, limits->threads,
        MHD_OPTION_CONNECTION_LIMIT, limits->connections,
        MHD_OPTION_PER_IP_CONNECTION_LIMIT, limits->connections_per_address,
        MHD_OPTION_CONNECTION_TIMEOUT, limits->idle_timeout_s,
        MHD_OPTION_NOTIFY_COMPLETED, on_completed, self, MHD_OPTION_END);
    if (!self->daemon) {
        snprintf(reason, cap, "cannot listen on %s", listen);
        free(self);
        return NULL;
    }
    const union MHD_DaemonInfo *info = MHD_get_daemon_info(self->daemon, MHD_DAEMON_INFO_BIND_PORT);
    self->port = info ? info->port : ntohs(address.sin_port);
    return self;
}

uint64_t http_api_requests_ended(http_api_t *self)
{
    return atomic_load(&self->ended);
}

/* Not MHD_quiesce_daemon: with epoll worker threads it races their own removal of the listening
 * socket and aborts the process ("Failed to remove listen FD from epoll set", an open defect of
 * libmicrohttpd, seen in e2e_reports); and a client that connected after it waited unanswered in
 * the listen queue until the stop. Accepted, it hears at once to try again. */
void http_api_quiesce(http_api_t *self)
{
    (void) self;
    atomic_store(&stopping, true);
}

void http_api_destroy(http_api_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    /* Stopping the daemon with a connection suspended would lose it: let every waiting request
     * have its answer first (each waits at most the command time-outs). */
    atomic_store(&stopping, true);
    while (http_wait_count() > 0)
        usleep(10 * 1000);
    MHD_stop_daemon((*self_p)->daemon);
    free(*self_p);
    *self_p = NULL;
}

uint16_t http_api_port(const http_api_t *self)
{
    return self->port;
}
