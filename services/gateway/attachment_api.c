#include "attachment_api.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "attachment_codec.h"
#include "msgpack_fields.h"
#include "multipart.h"
#include "request_limits.h"
#include "staff_api.h"

#define PREFIX "/api/v1/reports/"

/* The tracking id and what follows "/attachments" in a URL of ours: *rest is "" or "/<n>". */
static bool parse_url(const char *url, char tracking_id[64], const char **rest)
{
    if (strncmp(url, PREFIX, sizeof PREFIX - 1) != 0)
        return false;
    const char *id = url + sizeof PREFIX - 1, *slash = strchr(id, '/');
    if (!slash || slash == id || slash - id >= 64 || strncmp(slash, "/attachments", 12) != 0)
        return false;
    *rest = slash + 12;
    if (**rest && **rest != '/')
        return false;
    snprintf(tracking_id, 64, "%.*s", (int) (slash - id), id);
    return true;
}

size_t attachment_api_body_max(const char *method, const char *url)
{
    char tracking_id[64];
    const char *rest;
    return strcmp(method, "POST") == 0 && parse_url(url, tracking_id, &rest) && !*rest ? ATTACHMENT_API_BODY_MAX
                                                                                      : HTTP_API_BODY_MAX;
}

static enum MHD_Result answer_stored(struct MHD_Connection *c, request_t *req, const envelope_t *reply)
{
    attachment_t stored;
    char why[200], self[128], thumbnail[160];
    if (attachment_decode(reply->body, reply->body_size, &stored, why, sizeof why) != 0 || !stored.tracking_id)
        return http_send_problem(c, req, &PROBLEM_INTERNAL, NULL, NULL, NULL);
    snprintf(self, sizeof self, PREFIX "%s/attachments/%lld", stored.tracking_id, (long long) stored.number);
    snprintf(thumbnail, sizeof thumbnail, "%s?size=thumbnail", self);
    json_t *doc = json_pack("{s:s,s:I,s:s,s:{s:s,s:s}}", "tracking_id", stored.tracking_id, "number",
                            (json_int_t) stored.number, "media_type", stored.media_type ? stored.media_type : "",
                            "links", "self", self, "thumbnail", thumbnail);
    if (doc && stored.width)
        json_object_set_new(doc, "width", json_integer(stored.width));
    if (doc && stored.height)
        json_object_set_new(doc, "height", json_integer(stored.height));
    attachment_clear(&stored);
    const char *const headers[] = {"Location", self, "Cache-Control", "no-store", NULL};
    return doc ? http_send_json(c, req, 201, doc, headers) : http_send_problem(c, req, &PROBLEM_INTERNAL, NULL, NULL, NULL);
}

typedef enum MHD_Result (answer_fn)(struct MHD_Connection *c, request_t *req, const envelope_t *reply);

/* Sends `message` as `type` to intake and answers with `answer` when the reply is `expected`.
 * Clears the message. */
static enum MHD_Result ask_intake(struct MHD_Connection *c, request_t *req, const char *type, attachment_t *message,
                                  const char *expected, answer_fn *answer)
{
    unsigned char *body = NULL;
    size_t size = 0;
    char reason[256];
    int encoded = attachment_encode(message, &body, &size) == 0;
    attachment_clear(message);
    if (!encoded)
        return http_send_problem(c, req, &PROBLEM_INTERNAL, NULL, NULL, NULL);
    envelope_t *reply = http_command(req, PEER_INTAKE, type, body, size, reason, sizeof reason);
    enum MHD_Result rc = reply && strcmp(reply->type, expected) == 0 ? answer(c, req, reply)
                                                                      : http_send_command_failure(c, req, reply, reason);
    envelope_destroy(&reply);
    return rc;
}

/* Passes the file part on to intake; the bytes stay the request's until encoded. */
static enum MHD_Result forward_upload(struct MHD_Connection *c, request_t *req, const char *tracking_id,
                                      const char *token, const multipart_part_t *part)
{
    attachment_t upload = {.size = part->size};
    if (mpf_set_string(&upload.tracking_id, tracking_id) != 0 || mpf_set_string(&upload.reporter_token, token) != 0) {
        attachment_clear(&upload);
        return http_send_problem(c, req, &PROBLEM_INTERNAL, NULL, NULL, NULL);
    }
    unsigned char *copy = malloc(part->size ? part->size : 1);
    if (!copy) {
        attachment_clear(&upload);
        return http_send_problem(c, req, &PROBLEM_INTERNAL, NULL, NULL, NULL);
    }
    memcpy(copy, req->body + part->offset, part->size);
    upload.data = copy;
    return ask_intake(c, req, MSG_ATTACHMENT_ADD, &upload, MSG_ATTACHMENT_STORED, answer_stored);
}

static enum MHD_Result upload(struct MHD_Connection *c, request_t *req, const char *tracking_id)
{
    const char *token = http_bearer_token(c);
    multipart_part_t part;
    char reason[200];
    field_errors_t errors;
    field_errors_clear(&errors);
    enum MHD_Result rc;
    if (req->too_large)
        return http_send_problem(c, req, &PROBLEM_TOO_LARGE, "a file may be at most 10 MB (10485760 bytes)", NULL, NULL);
    int found = multipart_find(MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Content-Type"), req->body ? req->body : "",
                               req->size, "file", &part, reason, sizeof reason);
    if (found < 0 && !MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Content-Type"))
        return http_send_problem(c, req, &PROBLEM_MEDIA_TYPE, "send multipart/form-data", NULL, NULL);
    if (found < 0)
        return http_send_problem(c, req, &PROBLEM_MALFORMED, reason, NULL, NULL);
    if (found > 0 || part.size == 0)
        field_errors_add(&errors, "file", "required", "send one file in the form field \"file\"");
    else if (part.size > ATTACHMENT_DATA_MAX)
        return http_send_problem(c, req, &PROBLEM_TOO_LARGE, "a file may be at most 10 MB (10485760 bytes)", NULL, NULL);
    if (errors.count)
        return http_send_problem(c, req, &PROBLEM_VALIDATION, "the upload has invalid fields", &errors, NULL);
    if (!token)
        return http_send_problem(c, req, &PROBLEM_NOT_FOUND, "no report with this tracking id and reporter token", NULL, NULL);
    if (!request_limits_admit(c, req, RATE_REPORTER, tracking_id, &rc))
        return rc;
    return forward_upload(c, req, tracking_id, token, &part);
}

static enum MHD_Result send_file(struct MHD_Connection *c, request_t *req, const envelope_t *reply)
{
    attachment_t file;
    char why[200];
    if (attachment_decode(reply->body, reply->body_size, &file, why, sizeof why) != 0 || !file.media_type || !file.data)
        return http_send_problem(c, req, &PROBLEM_INTERNAL, NULL, NULL, NULL);
    struct MHD_Response *r = MHD_create_response_from_buffer(file.size, file.data, MHD_RESPMEM_MUST_FREE);
    if (!r) {
        attachment_clear(&file);
        return MHD_NO;
    }
    file.data = NULL;   /* the response's now */
    bool image = strncmp(file.media_type, "image/", 6) == 0;
    MHD_add_response_header(r, "Content-Type", file.media_type);
    MHD_add_response_header(r, "Content-Disposition", image ? "inline" : "attachment");
    MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
    MHD_add_response_header(r, "Content-Security-Policy", "default-src 'none'; sandbox");
    MHD_add_response_header(r, "Cache-Control", "private, max-age=300");
    MHD_add_response_header(r, "Vary", "Authorization");
    MHD_add_response_header(r, "X-Request-Id", req->id);
    attachment_clear(&file);
    req->status = 200;
    enum MHD_Result rc = MHD_queue_response(c, 200, r);
    MHD_destroy_response(r);
    return rc;
}

static enum MHD_Result download(struct MHD_Connection *c, request_t *req, const char *tracking_id, const char *number)
{
    char *end = NULL;
    long n = strtol(number, &end, 10);
    if (!*number || *end || n < 1 || n > ATTACHMENTS_PER_REPORT)
        return http_send_problem(c, req, &PROBLEM_NOT_FOUND, "no such attachment", NULL, NULL);
    const char *size = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "size");
    attachment_t asked = {.number = n, .thumbnail = size && strcmp(size, "thumbnail") == 0};
    /* ?as=staff: the Bearer token is a staff session's, not a reporter token. */
    const char *as = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "as");
    staff_member_t who;
    enum MHD_Result rc;
    bool staff = as && strcmp(as, "staff") == 0;
    if (staff && !staff_api_authenticate(c, req, &who, &rc))
        return rc;
    int filled = mpf_set_string(&asked.tracking_id, tracking_id) == 0
                 && (staff ? mpf_set_string(&asked.actor_role, who.role) == 0
                                 && mpf_set_string(&asked.actor_institution, who.institution) == 0
                           : mpf_set_string(&asked.reporter_token, http_bearer_token(c)) == 0);
    if (!filled) {
        attachment_clear(&asked);
        return http_send_problem(c, req, &PROBLEM_INTERNAL, NULL, NULL, NULL);
    }
    return ask_intake(c, req, MSG_ATTACHMENT_GET, &asked, MSG_ATTACHMENT_DATA, send_file);
}

enum MHD_Result attachment_api_route(struct MHD_Connection *c, request_t *req, const char *method, const char *url,
                                     bool *handled)
{
    char tracking_id[64];
    const char *rest;
    *handled = parse_url(url, tracking_id, &rest);
    if (!*handled)
        return MHD_NO;
    if (!*rest) {
        req->route = "report_attachments";
        return strcmp(method, "POST") == 0 ? upload(c, req, tracking_id) : http_wrong_method(c, req, "POST");
    }
    req->route = "report_attachment";
    bool get = strcmp(method, "GET") == 0 || strcmp(method, "HEAD") == 0;
    return get ? download(c, req, tracking_id, rest + 1) : http_wrong_method(c, req, "GET, HEAD");
}
