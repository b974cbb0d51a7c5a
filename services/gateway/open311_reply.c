#include "open311_reply.h"

#include <stdlib.h>
#include <string.h>

#include "logger.h"
#include "open311_json.h"
#include "open311_xml.h"
#include "staff_query_codec.h"

enum MHD_Result open311_send(struct MHD_Connection *c, request_t *req, open311_format_t fmt, unsigned status,
                             json_t *doc, const char *root)
{
    char *text = fmt == OPEN311_XML ? open311_xml_render(doc, root) : open311_json_render(doc);
    json_decref(doc);
    if (!text)
        return http_send_problem(c, req, &PROBLEM_INTERNAL, NULL, NULL, NULL);
    static const char *const headers[] = {"Cache-Control", "no-store", NULL};
    const char *type = fmt == OPEN311_XML ? "text/xml; charset=utf-8" : "application/json; charset=utf-8";
    return http_send_text(c, req, status, type, text, headers);
}

enum MHD_Result open311_send_errors(struct MHD_Connection *c, request_t *req, open311_format_t fmt, json_t *errors)
{
    return open311_send(c, req, fmt, (unsigned) open311_errors_status(errors), errors, "errors");
}

enum MHD_Result open311_send_error(struct MHD_Connection *c, request_t *req, open311_format_t fmt, int code,
                                   const char *description)
{
    json_t *errors = open311_errors_new();
    open311_errors_add(errors, code, description);
    return open311_send_errors(c, req, fmt, errors);
}

static int status_of_code(const char *code)
{
    if (strcmp(code, ERROR_NOT_FOUND) == 0)
        return 404;
    if (strcmp(code, ERROR_FORBIDDEN) == 0)
        return 403;
    if (strcmp(code, ERROR_INVALID) == 0 || strcmp(code, ERROR_IDEMPOTENCY_MISMATCH) == 0
        || strcmp(code, ERROR_CONFLICT) == 0)
        return 400;
    return 0;
}

/* One entry per invalid field, named as the Open311 parameter it came from where there is one. */
static void add_field_errors(json_t *errors, const error_reply_t *error)
{
    static const char *const names[][2] = {{"category", "service_code"}, {"location.lat", "lat"},
                                           {"location.lon", "long"}, {"location.address", "address_string"},
                                           {"reporter.email", "email"}, {"reporter.phone", "phone"},
                                           {"reporter.name", "first_name"}, {"body", "description"}};
    for (size_t i = 0; i < error->fields.count; i++) {
        const char *field = error->fields.items[i].field, *name = field;
        for (size_t n = 0; n < sizeof names / sizeof names[0]; n++)
            if (strcmp(names[n][0], field) == 0)
                name = names[n][1];
        char text[400];
        snprintf(text, sizeof text, "%s: %s", name, error->fields.items[i].message);
        open311_errors_add(errors, 400, text);
    }
}

enum MHD_Result open311_send_failure(struct MHD_Connection *c, request_t *req, open311_format_t fmt,
                                     const envelope_t *reply, const char *reason)
{
    error_reply_t error;
    char why[200];
    if (!reply) {
        logger_warn("no answer to an Open311 command: %s", reason);
        return http_send_command_failure(c, req, NULL, reason);
    }
    if (strcmp(reply->type, MSG_ERROR) != 0 || error_reply_decode(reply->body, reply->body_size, &error, why,
                                                                   sizeof why) != 0)
        return http_send_command_failure(c, req, reply, reason);
    int status = status_of_code(error.code);
    if (!status)
        return http_send_command_failure(c, req, reply, reason);
    json_t *errors = open311_errors_new();
    if (error.fields.count)
        add_field_errors(errors, &error);
    else
        open311_errors_add(errors, status, error.detail);
    return open311_send_errors(c, req, fmt, errors);
}

static bool is_not_found(const envelope_t *reply)
{
    error_reply_t error;
    char why[200];
    return reply && strcmp(reply->type, MSG_ERROR) == 0
           && error_reply_decode(reply->body, reply->body_size, &error, why, sizeof why) == 0
           && strcmp(error.code, ERROR_NOT_FOUND) == 0;
}

json_t *open311_query(struct MHD_Connection *c, request_t *req, open311_format_t fmt, const open311_query_t *q,
                      bool *not_found, enum MHD_Result *rc)
{
    unsigned char *body = NULL;
    size_t size = 0;
    char reason[256];
    if (open311_query_encode(q, &body, &size) != 0) {
        *rc = http_send_problem(c, req, &PROBLEM_INTERNAL, NULL, NULL, NULL);
        return NULL;
    }
    envelope_t *reply = http_command(req, PEER_INTAKE, MSG_OPEN311_QUERY, body, size, reason, sizeof reason);
    staff_document_t doc = {NULL};
    json_t *tree = NULL;
    if (reply && strcmp(reply->type, MSG_STAFF_DOCUMENT) == 0
        && staff_document_decode(reply->body, reply->body_size, &doc, reason, sizeof reason) == 0)
        tree = open311_json_parse(doc.json);
    if (!tree && not_found && is_not_found(reply))
        *not_found = true;
    else if (!tree)
        *rc = open311_send_failure(c, req, fmt, reply, reason);
    staff_document_clear(&doc);
    envelope_destroy(&reply);
    return tree;
}
