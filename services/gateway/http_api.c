#include "http_api.h"

#include <jansson.h>
#include <microhttpd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "embedded_file.h"
#include "error_reply.h"
#include "intake_link.h"
#include "logger.h"
#include "metrics.h"
#include "net_address.h"
#include "problem.h"
#include "reference_codec.h"
#include "report_json.h"
#include "report_rules.h"
#include "tracking_id.h"

extern const embedded_file_t gateway_documents[];

struct http_api_t {
    struct MHD_Daemon *daemon;
    MHD_socket quiesced_listener;
    uint16_t port;
};

/* One HTTP request in progress. */
typedef struct {
    char id[ENVELOPE_ID_MAX + 1];
    struct timespec started;
    char *body;
    size_t size;
    bool too_large;
    unsigned status;
    const char *route;
} request_t;

static enum MHD_Result send_text(struct MHD_Connection *c, request_t *req, unsigned status, const char *type,
                                 char *text, const char *const *headers)
{
    req->status = status;
    struct MHD_Response *r = MHD_create_response_from_buffer(text ? strlen(text) : 0, text ? text : "",
                                                             text ? MHD_RESPMEM_MUST_FREE : MHD_RESPMEM_PERSISTENT);
    if (!r)
        return MHD_NO;
    MHD_add_response_header(r, "Content-Type", type);
    MHD_add_response_header(r, "X-Request-Id", req->id);
    for (int i = 0; headers && headers[i]; i += 2)
        MHD_add_response_header(r, headers[i], headers[i + 1]);
    enum MHD_Result rc = MHD_queue_response(c, status, r);
    MHD_destroy_response(r);
    return rc;
}

static enum MHD_Result send_json(struct MHD_Connection *c, request_t *req, unsigned status, json_t *doc,
                                 const char *const *headers)
{
    char *text = json_dumps(doc, JSON_COMPACT);
    json_decref(doc);
    if (!text)
        return send_text(c, req, 500, "text/plain", strdup("out of memory"), NULL);
    return send_text(c, req, status, "application/json; charset=utf-8", text, headers);
}

static enum MHD_Result send_problem(struct MHD_Connection *c, request_t *req, const problem_kind_t *kind,
                                    const char *detail, const field_errors_t *errors, const char *const *headers)
{
    return send_text(c, req, kind->status, "application/problem+json; charset=utf-8",
                     problem_render(kind, detail, errors), headers);
}

/* The answer for a command reply that is an error, or for no reply at all. */
static enum MHD_Result send_command_failure(struct MHD_Connection *c, request_t *req, const envelope_t *reply,
                                            const char *reason)
{
    static const char *const retry[] = {"Retry-After", "2", NULL};
    if (!reply) {
        logger_warn("intake unavailable: %s", reason);
        return send_problem(c, req, &PROBLEM_UNAVAILABLE, "no intake replica answered in time; try again", NULL, retry);
    }
    error_reply_t error;
    char why[200];
    if (strcmp(reply->type, MSG_ERROR) != 0 || error_reply_decode(reply->body, reply->body_size, &error, why, sizeof why) != 0) {
        logger_error("unexpected reply %s from intake", reply->type);
        return send_problem(c, req, &PROBLEM_INTERNAL, NULL, NULL, NULL);
    }
    const problem_kind_t *kind = problem_for_error_code(error.code);
    return send_problem(c, req, kind, error.detail, &error.fields, kind == &PROBLEM_UNAVAILABLE ? retry : NULL);
}

/* Sends a command whose body the caller encoded; NULL reply means intake did not answer. */
static envelope_t *command(request_t *req, const char *type, unsigned char *body, size_t size, char *reason, size_t cap)
{
    envelope_t *request = envelope_new(type, 1, req->id, req->id);
    if (!request) {
        free(body);
        snprintf(reason, cap, "out of memory");
        return NULL;
    }
    envelope_take_body(request, body, size);
    envelope_t *reply = intake_link_call(request, reason, cap);
    envelope_destroy(&request);
    return reply;
}

static bool is_json_content_type(const char *type)
{
    static const char expected[] = "application/json";
    size_t n = sizeof expected - 1;
    if (!type || strncasecmp(type, expected, n) != 0)
        return false;
    return type[n] == '\0' || type[n] == ';' || type[n] == ' ';
}

static size_t json_depth(const json_t *value)
{
    size_t deepest = 0, d;
    if (json_is_object(value)) {
        const char *key;
        json_t *member;
        json_object_foreach((json_t *) value, key, member) {
            (void) key;
            if ((d = json_depth(member)) > deepest)
                deepest = d;
        }
        return deepest + 1;
    }
    if (json_is_array(value)) {
        for (size_t i = 0; i < json_array_size(value); i++)
            if ((d = json_depth(json_array_get(value, i))) > deepest)
                deepest = d;
        return deepest + 1;
    }
    return 0;
}

/* The Idempotency-Key header as the command's key; without one, the request id (so a resent
 * command is still the same submission). NULL when the header is malformed. */
static char *idempotency_key(struct MHD_Connection *c, const request_t *req)
{
    const char *header = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Idempotency-Key");
    size_t n = header ? strlen(header) : 0;
    for (size_t i = 0; i < n; i++)
        if (header[i] < 0x20 || header[i] >= 0x7f)
            return NULL;
    if (header && (n == 0 || n > REPORT_IDEMPOTENCY_KEY_MAX))
        return NULL;
    char *key = malloc(REPORT_IDEMPOTENCY_KEY_MAX + 8);
    if (key)
        snprintf(key, REPORT_IDEMPOTENCY_KEY_MAX + 8, "%s%s", header ? "http:" : "req:", header ? header : req->id);
    return key;
}

static enum MHD_Result answer_receipt(struct MHD_Connection *c, request_t *req, const envelope_t *reply)
{
    report_receipt_t receipt;
    char why[200], location[96];
    if (report_receipt_decode(reply->body, reply->body_size, &receipt, why, sizeof why) != 0) {
        logger_error("undecodable receipt from intake: %s", why);
        return send_problem(c, req, &PROBLEM_INTERNAL, NULL, NULL, NULL);
    }
    snprintf(location, sizeof location, "/api/v1/reports/%s", receipt.tracking_id);
    const char *const headers[] = {"Location", location, "Cache-Control", "no-store", NULL};
    enum MHD_Result rc = send_json(c, req, 201, report_json_from_receipt(&receipt), headers);
    report_receipt_clear(&receipt);
    return rc;
}

/* Forwards a valid submission to intake and answers with what it said. */
static enum MHD_Result forward_submission(struct MHD_Connection *c, request_t *req, const report_submission_t *s)
{
    unsigned char *body = NULL;
    size_t size = 0;
    char reason[256];
    if (report_submission_encode(s, &body, &size) != 0)
        return send_problem(c, req, &PROBLEM_INTERNAL, NULL, NULL, NULL);
    envelope_t *reply = command(req, MSG_REPORT_SUBMIT, body, size, reason, sizeof reason);
    enum MHD_Result rc = reply && strcmp(reply->type, MSG_REPORT_RECEIPT) == 0
                             ? answer_receipt(c, req, reply) : send_command_failure(c, req, reply, reason);
    envelope_destroy(&reply);
    return rc;
}

static enum MHD_Result submit_report(struct MHD_Connection *c, request_t *req)
{
    if (!is_json_content_type(MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Content-Type")))
        return send_problem(c, req, &PROBLEM_MEDIA_TYPE, "send the report as Content-Type: application/json", NULL, NULL);
    if (req->too_large)
        return send_problem(c, req, &PROBLEM_TOO_LARGE, "the body may be at most 65536 bytes", NULL, NULL);
    json_error_t jerr;
    json_t *root = json_loadb(req->body ? req->body : "", req->size, JSON_REJECT_DUPLICATES, &jerr);
    char detail[300];
    if (!root) {
        snprintf(detail, sizeof detail, "invalid JSON at line %d, column %d: %s", jerr.line, jerr.column, jerr.text);
        return send_problem(c, req, &PROBLEM_MALFORMED, detail, NULL, NULL);
    }
    enum MHD_Result rc;
    report_submission_t s;
    memset(&s, 0, sizeof s);
    field_errors_t errors;
    field_errors_clear(&errors);
    if (json_depth(root) > HTTP_API_JSON_DEPTH_MAX)
        rc = send_problem(c, req, &PROBLEM_MALFORMED, "JSON nested deeper than 8 levels", NULL, NULL);
    else if (!(s.idempotency_key = idempotency_key(c, req)))
        rc = send_problem(c, req, &PROBLEM_MALFORMED, "Idempotency-Key must be 1 to 200 printable ASCII characters", NULL, NULL);
    else if (report_json_to_submission(root, &s, &errors) != 0)
        rc = send_problem(c, req, &PROBLEM_VALIDATION, "the report has invalid fields", &errors, NULL);
    else
        rc = forward_submission(c, req, &s);
    json_decref(root);
    report_submission_clear(&s);
    return rc;
}

static const char *bearer_token(struct MHD_Connection *c)
{
    const char *header = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Authorization");
    if (!header || strncasecmp(header, "Bearer ", 7) != 0 || strlen(header + 7) > 128)
        return NULL;
    return header + 7;
}

static enum MHD_Result get_report(struct MHD_Connection *c, request_t *req, const char *typed_id)
{
    char tracking_id[TRACKING_ID_LEN + 1], reason[256];
    if (tracking_id_normalize(typed_id, tracking_id) != 0)
        return send_problem(c, req, &PROBLEM_NOT_FOUND, "no report has this tracking id", NULL, NULL);
    report_lookup_t lookup = {tracking_id, (char *) bearer_token(c)};
    unsigned char *body = NULL;
    size_t size = 0;
    if (report_lookup_encode(&lookup, &body, &size) != 0)
        return send_problem(c, req, &PROBLEM_INTERNAL, NULL, NULL, NULL);
    envelope_t *reply = command(req, MSG_REPORT_GET, body, size, reason, sizeof reason);
    report_view_t view;
    enum MHD_Result rc;
    if (reply && strcmp(reply->type, MSG_REPORT_VIEW) == 0
        && report_view_decode(reply->body, reply->body_size, &view, reason, sizeof reason) == 0) {
        static const char *const headers[] = {"Cache-Control", "no-store", NULL};
        rc = send_json(c, req, 200, report_json_from_view(&view), headers);
        report_view_clear(&view);
    } else
        rc = send_command_failure(c, req, reply && strcmp(reply->type, MSG_ERROR) == 0 ? reply : NULL,
                                  reply ? "undecodable view" : reason);
    envelope_destroy(&reply);
    return rc;
}

static enum MHD_Result list_reference(struct MHD_Connection *c, request_t *req, const char *table)
{
    reference_query_t query = {(char *) table};
    unsigned char *body = NULL;
    size_t size = 0;
    char reason[256];
    if (reference_query_encode(&query, &body, &size) != 0)
        return send_problem(c, req, &PROBLEM_INTERNAL, NULL, NULL, NULL);
    envelope_t *reply = command(req, MSG_REFERENCE_LIST, body, size, reason, sizeof reason);
    reference_list_t list;
    enum MHD_Result rc;
    if (reply && strcmp(reply->type, MSG_REFERENCE_ITEMS) == 0
        && reference_list_decode(reply->body, reply->body_size, &list, reason, sizeof reason) == 0) {
        static const char *const headers[] = {"Cache-Control", "public, max-age=60", NULL};
        rc = send_json(c, req, 200, report_json_from_reference_list(&list), headers);
        reference_list_clear(&list);
    } else
        rc = send_command_failure(c, req, reply && strcmp(reply->type, MSG_ERROR) == 0 ? reply : NULL,
                                  reply ? "undecodable list" : reason);
    envelope_destroy(&reply);
    return rc;
}

static enum MHD_Result wrong_method(struct MHD_Connection *c, request_t *req, const char *allow)
{
    const char *const headers[] = {"Allow", allow, NULL};
    return send_problem(c, req, &PROBLEM_METHOD, NULL, NULL, headers);
}

static enum MHD_Result serve_openapi(struct MHD_Connection *c, request_t *req)
{
    char *copy = strdup(gateway_documents[0].data);
    if (!copy)
        return send_problem(c, req, &PROBLEM_INTERNAL, NULL, NULL, NULL);
    return send_text(c, req, 200, "application/json; charset=utf-8", copy, NULL);
}

#define API "/api/v1"

static enum MHD_Result route(struct MHD_Connection *c, request_t *req, const char *method, const char *url)
{
    static const char *const tables[] = {"categories", "regions", "institutions"};
    bool get = strcmp(method, "GET") == 0 || strcmp(method, "HEAD") == 0;
    if (strcmp(url, API "/reports") == 0) {
        req->route = "reports";
        return strcmp(method, "POST") == 0 ? submit_report(c, req) : wrong_method(c, req, "POST");
    }
    if (strncmp(url, API "/reports/", sizeof API "/reports/" - 1) == 0 && !strchr(url + sizeof API "/reports/" - 1, '/')) {
        req->route = "report";
        return get ? get_report(c, req, url + sizeof API "/reports/" - 1) : wrong_method(c, req, "GET, HEAD");
    }
    for (size_t i = 0; i < sizeof tables / sizeof tables[0]; i++) {
        if (strncmp(url, API "/", sizeof API) == 0 && strcmp(url + sizeof API, tables[i]) == 0) {
            req->route = tables[i];
            return get ? list_reference(c, req, tables[i]) : wrong_method(c, req, "GET, HEAD");
        }
    }
    if (strcmp(url, API "/openapi.json") == 0) {
        req->route = "openapi";
        return get ? serve_openapi(c, req) : wrong_method(c, req, "GET, HEAD");
    }
    req->route = "unknown";
    return send_problem(c, req, &PROBLEM_NOT_FOUND, "no such resource", NULL, NULL);
}

static void collect(request_t *req, const char *data, size_t size)
{
    if (req->too_large || req->size + size > HTTP_API_BODY_MAX) {
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
        req->route = "unknown";
        *state = req;
        const char *length = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Content-Length");
        if (length && strtoull(length, NULL, 10) > HTTP_API_BODY_MAX) {
            logger_set_trace(req->id);
            return send_problem(c, req, &PROBLEM_TOO_LARGE, "the body may be at most 65536 bytes", NULL, NULL);
        }
        return MHD_YES;
    }
    if (*upload_size) {
        collect(req, upload_data, *upload_size);
        *upload_size = 0;
        return MHD_YES;
    }
    logger_set_trace(req->id);
    enum MHD_Result rc = route(c, req, method, url);
    logger_set_trace(NULL);
    return rc;
}

static void on_completed(void *cls, struct MHD_Connection *c, void **state, enum MHD_RequestTerminationCode code)
{
    (void) cls, (void) c, (void) code;
    request_t *req = *state;
    if (!req)
        return;
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    double seconds = (double) (now.tv_sec - req->started.tv_sec) + (double) (now.tv_nsec - req->started.tv_nsec) / 1e9;
    char labels[96];
    snprintf(labels, sizeof labels, "route=\"%s\",status=\"%u\"", req->route, req->status);
    metrics_counter_add(metrics_counter("aduan_http_requests_total", "HTTP requests by route and status", labels), 1);
    snprintf(labels, sizeof labels, "route=\"%s\"", req->route);
    metrics_histogram_observe(metrics_histogram("aduan_http_request_seconds", "HTTP request latency", labels,
                                                metrics_latency_bounds, metrics_latency_bounds_count), seconds);
    logger_set_trace(req->id);
    logger_info("http route=%s status=%u ms=%.1f", req->route, req->status, seconds * 1000);
    logger_set_trace(NULL);
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

http_api_t *http_api_new(const char *listen, unsigned threads, char *reason, size_t cap)
{
    struct sockaddr_in address;
    if (net_address_parse(listen, &address, reason, cap) != 0)
        return NULL;
    http_api_t *self = calloc(1, sizeof *self);
    if (!self)
        return NULL;
    self->quiesced_listener = MHD_INVALID_SOCKET;
    self->daemon = MHD_start_daemon(
        MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_ERROR_LOG | MHD_USE_ITC, 0, NULL, NULL, on_request, NULL,
        MHD_OPTION_EXTERNAL_LOGGER, on_mhd_error, NULL,  /* first, or earlier options log to stderr */
        MHD_OPTION_SOCK_ADDR, (struct sockaddr *) &address, MHD_OPTION_THREAD_POOL_SIZE, threads,
        MHD_OPTION_CONNECTION_LIMIT, (unsigned) 1000, MHD_OPTION_CONNECTION_TIMEOUT, (unsigned) 30,
        MHD_OPTION_NOTIFY_COMPLETED, on_completed, NULL, MHD_OPTION_END);
    if (!self->daemon) {
        snprintf(reason, cap, "cannot listen on %s", listen);
        free(self);
        return NULL;
    }
    const union MHD_DaemonInfo *info = MHD_get_daemon_info(self->daemon, MHD_DAEMON_INFO_BIND_PORT);
    self->port = info ? info->port : ntohs(address.sin_port);
    return self;
}

void http_api_quiesce(http_api_t *self)
{
    /* Ours to close, but only after MHD_stop_daemon (its threads may still look at it). */
    self->quiesced_listener = MHD_quiesce_daemon(self->daemon);
}

void http_api_destroy(http_api_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    MHD_stop_daemon((*self_p)->daemon);
    if ((*self_p)->quiesced_listener != MHD_INVALID_SOCKET)
        close((*self_p)->quiesced_listener);
    free(*self_p);
    *self_p = NULL;
}

uint16_t http_api_port(const http_api_t *self)
{
    return self->port;
}
