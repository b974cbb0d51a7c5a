#include "http_reply.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "error_reply.h"
#include "logger.h"
#include "staff_query_codec.h"

enum MHD_Result http_send_text(struct MHD_Connection *c, request_t *req, unsigned status, const char *type,
                                 char *text, const char *const *headers)
{
    if (req->outgoing) {   /* a pass that stopped at a command: its answers are not the request's */
        free(text);
        return MHD_YES;
    }
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

enum MHD_Result http_send_json(struct MHD_Connection *c, request_t *req, unsigned status, json_t *doc,
                                 const char *const *headers)
{
    char *text = json_dumps(doc, JSON_COMPACT);
    json_decref(doc);
    if (!text)
        return http_send_text(c, req, 500, "text/plain", strdup("out of memory"), NULL);
    return http_send_text(c, req, status, "application/json; charset=utf-8", text, headers);
}

enum MHD_Result http_send_problem(struct MHD_Connection *c, request_t *req, const problem_kind_t *kind,
                                    const char *detail, const field_errors_t *errors, const char *const *headers)
{
    return http_send_text(c, req, kind->status, "application/problem+json; charset=utf-8",
                     problem_render(kind, detail, errors), headers);
}

/* The answer for a command reply that is an error, or for no reply at all. */
enum MHD_Result http_send_command_failure(struct MHD_Connection *c, request_t *req, const envelope_t *reply,
                                            const char *reason)
{
    static const char *const retry[] = {"Retry-After", "2", NULL};
    const char *peer = command_links_name(req->peer);
    if (req->outgoing)
        return MHD_YES;
    if (!reply) {
        char detail[96];
        snprintf(detail, sizeof detail, "no %s replica answered in time; try again", peer);
        logger_warn("%s unavailable: %s", peer, reason);
        return http_send_problem(c, req, &PROBLEM_UNAVAILABLE, detail, NULL, retry);
    }
    error_reply_t error;
    char why[200];
    if (strcmp(reply->type, MSG_ERROR) != 0 || error_reply_decode(reply->body, reply->body_size, &error, why, sizeof why) != 0) {
        logger_error("unexpected reply %s from %s", reply->type, peer);
        return http_send_problem(c, req, &PROBLEM_INTERNAL, NULL, NULL, NULL);
    }
    return http_send_error(c, req, &error);
}

enum MHD_Result http_send_error(struct MHD_Connection *c, request_t *req, const error_reply_t *error)
{
    static const char *const retry[] = {"Retry-After", "2", NULL};
    const problem_kind_t *kind = problem_for_error_code(error->code);
    req->status = kind->status;
    return http_send_text(c, req, kind->status, "application/problem+json; charset=utf-8",
                          problem_render_status(kind, error->detail, &error->fields, error->status),
                          kind == &PROBLEM_UNAVAILABLE ? retry : NULL);
}

static enum MHD_Result send_document_reply(struct MHD_Connection *c, request_t *req, const envelope_t *reply,
                                           const char *reason, unsigned status)
{
    static const char *const no_store[] = {"Cache-Control", "no-store", NULL};
    staff_document_t document;
    char why[200];
    if (!reply || strcmp(reply->type, MSG_STAFF_DOCUMENT) != 0
        || staff_document_decode(reply->body, reply->body_size, &document, why, sizeof why) != 0)
        return http_send_command_failure(c, req, reply, reason);
    char *json = status == 204 ? NULL : document.json;
    if (json)
        document.json = NULL;
    staff_document_clear(&document);
    return http_send_text(c, req, status, json ? "application/json; charset=utf-8" : "text/plain", json, no_store);
}

/* A copy of what an earlier pass's command came back with: the caller destroys it, and a later
 * pass may ask for it again. */
static envelope_t *stored_result(const command_result_t *result, char *reason, size_t cap)
{
    snprintf(reason, cap, "%s", result->reason);
    const envelope_t *kept = result->reply;
    if (!kept)
        return NULL;
    envelope_t *copy = envelope_new(kept->type, kept->version, kept->id, kept->trace);
    unsigned char *body = kept->body_size ? malloc(kept->body_size) : NULL;
    if (!copy || (kept->body_size && !body)) {
        envelope_destroy(&copy);
        free(body);
        snprintf(reason, cap, "out of memory");
        return NULL;
    }
    if (body)
        memcpy(body, kept->body, kept->body_size);
    envelope_take_body(copy, body, kept->body_size);
    copy->sent_at_ms = kept->sent_at_ms;
    return copy;
}

envelope_t *http_command(request_t *req, command_peer_t peer, const char *type, unsigned char *body, size_t size,
                         char *reason, size_t cap)
{
    unsigned call = req->pass_commands++;
    req->peer = peer;
    if (call < req->results_count) {
        free(body);
        return stored_result(&req->results[call], reason, cap);
    }
    if (req->outgoing || call >= HTTP_COMMANDS_MAX) {
        free(body);
        snprintf(reason, cap, req->outgoing ? "a command is still waiting" : "more than %d commands", HTTP_COMMANDS_MAX);
        return NULL;
    }
    envelope_t *request = envelope_new(type, 1, *req->command_id ? req->command_id : req->id, req->id);
    if (!request) {
        free(body);
        snprintf(reason, cap, "out of memory");
        return NULL;
    }
    envelope_take_body(request, body, size);
    req->outgoing = request;
    req->outgoing_peer = peer;
    snprintf(reason, cap, "waiting for %s", command_links_name(peer));
    return NULL;
}

bool http_command_answered(const request_t *req)
{
    return req->pass_commands < req->results_count;
}

bool http_is_printable_word(const char *s, size_t min, size_t max)
{
    size_t n = strlen(s);
    for (size_t i = 0; i < n; i++)
        if (s[i] <= ' ' || s[i] > '~')
            return false;
    return n >= min && n <= max;
}

bool http_is_json_content_type(const char *type)
{
    static const char expected[] = "application/json";
    size_t n = sizeof expected - 1;
    if (!type || strncasecmp(type, expected, n) != 0)
        return false;
    return type[n] == '\0' || type[n] == ';' || type[n] == ' ';
}

size_t http_json_depth(json_t *value)
{
    size_t deepest = 0, d;
    if (json_is_object(value)) {
        const char *key;
        json_t *member;
        json_object_foreach(value, key, member) {
            (void) key;
            if ((d = http_json_depth(member)) > deepest)
                deepest = d;
        }
        return deepest + 1;
    }
    if (json_is_array(value)) {
        for (size_t i = 0; i < json_array_size(value); i++)
            if ((d = http_json_depth(json_array_get(value, i))) > deepest)
                deepest = d;
        return deepest + 1;
    }
    return 0;
}

const char *http_path_under(const char *url, const char *prefix)
{
    size_t n = strlen(prefix);
    if (strncmp(url, prefix, n) != 0 || (url[n] != '\0' && url[n] != '/'))
        return NULL;
    return url[n] == '/' ? url + n + 1 : "";
}

long long http_path_id(const char *text)
{
    char *end = NULL;
    long long id = strtoll(text, &end, 10);
    return end != text && *end == '\0' && id > 0 ? id : 0;
}

const char *http_bearer_token(struct MHD_Connection *c)
{
    const char *header = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Authorization");
    if (!header || strncasecmp(header, "Bearer ", 7) != 0 || strlen(header + 7) > 128)
        return NULL;
    return header + 7;
}

json_t *http_read_json(struct MHD_Connection *c, request_t *req, enum MHD_Result *answered)
{
    if (!http_is_json_content_type(MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Content-Type"))) {
        *answered = http_send_problem(c, req, &PROBLEM_MEDIA_TYPE, "send JSON (Content-Type: application/json)", NULL, NULL);
        return NULL;
    }
    if (req->too_large) {
        *answered = http_send_problem(c, req, &PROBLEM_TOO_LARGE, "the body may be at most 65536 bytes", NULL, NULL);
        return NULL;
    }
    json_error_t jerr;
    json_t *root = json_loadb(req->body ? req->body : "", req->size, JSON_REJECT_DUPLICATES, &jerr);
    char detail[300];
    if (!root) {
        snprintf(detail, sizeof detail, "invalid JSON at line %d, column %d: %s", jerr.line, jerr.column, jerr.text);
        *answered = http_send_problem(c, req, &PROBLEM_MALFORMED, detail, NULL, NULL);
        return NULL;
    }
    if (http_json_depth(root) > HTTP_API_JSON_DEPTH_MAX) {
        *answered = http_send_problem(c, req, &PROBLEM_MALFORMED, "JSON nested deeper than 8 levels", NULL, NULL);
        json_decref(root);
        return NULL;
    }
    return root;
}

enum MHD_Result http_wrong_method(struct MHD_Connection *c, request_t *req, const char *allow)
{
    const char *const headers[] = {"Allow", allow, NULL};
    return http_send_problem(c, req, &PROBLEM_METHOD, NULL, NULL, headers);
}

const char *http_json_string(json_t *root, const char *key, bool required, field_errors_t *errors)
{
    json_t *value = json_object_get(root, key);
    if ((!value && required) || (value && !json_is_string(value))) {
        field_errors_add(errors, key, value ? "type" : "required", "%s must be a string", key);
        return NULL;
    }
    return value ? json_string_value(value) : NULL;
}

enum MHD_Result http_document_command(struct MHD_Connection *c, request_t *req, command_peer_t peer, const char *type,
                                      int encoded, unsigned char *body, size_t size, unsigned status)
{
    if (encoded != 0) {
        free(body);
        return http_send_problem(c, req, &PROBLEM_INTERNAL, NULL, NULL, NULL);
    }
    char reason[256];
    envelope_t *reply = http_command(req, peer, type, body, size, reason, sizeof reason);
    enum MHD_Result rc = send_document_reply(c, req, reply, reason, status);
    envelope_destroy(&reply);
    return rc;
}
