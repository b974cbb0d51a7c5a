#include "open311_api.h"

#include <microhttpd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "msgpack_fields.h"
#include "open311_json.h"
#include "open311_params.h"
#include "open311_reply.h"
#include "open311_submit.h"
#include "open311_updates.h"
#include "tracking_id.h"

#define SPECIFICATION "http://wiki.open311.org/GeoReport_v2"
/* When this server's Open311 surface last changed (discovery's changeset). */
#define CHANGESET "2026-12-01T00:00:00Z"

static const char *base_url, *jurisdiction, *contact;

void open311_api_setup(const config_t *config)
{
    base_url = config_get(config, "ADUAN_OPEN311_URL");
    jurisdiction = config_get(config, "ADUAN_OPEN311_JURISDICTION");
    contact = config_get(config, "ADUAN_OPEN311_CONTACT");
}

static enum MHD_Result collect_argument(void *cls, enum MHD_ValueKind kind, const char *key, const char *value)
{
    (void) kind;
    return open311_form_add(cls, key, value) == 0 ? MHD_YES : MHD_NO;
}

int open311_api_read_form(struct MHD_Connection *c, request_t *req, open311_format_t fmt, bool post,
                          open311_form_t *form, enum MHD_Result *rc)
{
    const char *why = "too many parameters";
    int parsed = MHD_get_connection_values(c, MHD_GET_ARGUMENT_KIND, collect_argument, form) >= 0
                 && form->count < OPEN311_FORM_FIELDS_MAX ? 0 : -1;
    if (parsed == 0 && post) {
        const char *type = MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_TYPE);
        static const char urlencoded[] = "application/x-www-form-urlencoded";
        if (req->too_large)
            why = "the body may be at most 65536 bytes", parsed = -1;
        else if (!type || strncasecmp(type, urlencoded, sizeof urlencoded - 1) != 0)
            why = "the body must be application/x-www-form-urlencoded; charset=utf-8", parsed = -1;
        else
            parsed = open311_form_parse(req->body ? req->body : "", req->size, form, &why);
    }
    if (parsed != 0)
        *rc = open311_send_error(c, req, fmt, 400, why);
    return parsed;
}

bool open311_api_jurisdiction_ok(const open311_form_t *form, json_t *errors)
{
    const char *asked = open311_form_get(form, "jurisdiction_id");
    if (!asked || strcmp(asked, jurisdiction) == 0)
        return true;
    open311_errors_add(errors, 404, "unknown jurisdiction_id");
    return false;
}

static enum MHD_Result discovery(struct MHD_Connection *c, request_t *req, open311_format_t fmt)
{
    char url[512];
    const char *host = MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_HOST);
    if (*base_url)
        snprintf(url, sizeof url, "%s", base_url);
    else
        snprintf(url, sizeof url, "http://%s/open311/v2", host ? host : "127.0.0.1");
    json_t *doc = json_pack("{s:s, s:s, s:s, s:[{s:s, s:s, s:s, s:s, s:[s, s]}]}", "changeset", CHANGESET,
                            "contact", contact, "key_service", "API keys are issued by the operator "
                            "(aduan-admin open311-key issue; POST /api/v1/admin/open311-keys)",
                            "endpoints", "specification", SPECIFICATION, "url", url, "changeset", CHANGESET,
                            "type", "production", "formats", "text/xml", "application/json");
    return doc ? open311_send(c, req, fmt, 200, doc, "discovery")
               : http_send_problem(c, req, &PROBLEM_INTERNAL, NULL, NULL, NULL);
}

/* A document read whole, or (`one`) the single request of requests/{id}, 404 when there is none. */
static enum MHD_Result answer_read(struct MHD_Connection *c, request_t *req, open311_format_t fmt, json_t *doc,
                                   const char *root, bool one)
{
    if (one && json_array_size(doc) == 0) {
        json_decref(doc);
        return open311_send_error(c, req, fmt, 404, "no request has this service_request_id");
    }
    open311_json_drop_nulls(doc, "extended_attributes");
    open311_json_drop_nulls(doc, "notes");
    return open311_send(c, req, fmt, 200, doc, root);
}

/* Reads without filters (the jurisdiction check, one query, the document); `one` is a single
 * request, with extensions=true honoured. */
static enum MHD_Result simple_read(struct MHD_Connection *c, request_t *req, open311_format_t fmt,
                                   open311_query_t *q, const char *root, bool one)
{
    open311_form_t *form = open311_form_new();
    json_t *errors = open311_errors_new();
    enum MHD_Result rc;
    if (!form || !errors)
        rc = http_send_problem(c, req, &PROBLEM_INTERNAL, NULL, NULL, NULL);
    else if (open311_api_read_form(c, req, fmt, false, form, &rc) != 0)
        ;
    else if (!open311_api_jurisdiction_ok(form, errors)) {
        rc = open311_send_errors(c, req, fmt, errors);
        errors = NULL;
    } else {
        const char *extensions = open311_form_get(form, "extensions");
        q->extensions = one && extensions && strcmp(extensions, "true") == 0;
        json_t *doc = open311_query(c, req, fmt, q, NULL, &rc);
        if (doc)
            rc = answer_read(c, req, fmt, doc, root, one);
    }
    json_decref(errors);
    open311_form_destroy(&form);
    return rc;
}

static enum MHD_Result one_request(struct MHD_Connection *c, request_t *req, open311_format_t fmt, const char *id)
{
    char tracking_id[TRACKING_ID_LEN + 1];
    if (tracking_id_normalize(id, tracking_id) != 0)
        return open311_send_error(c, req, fmt, 404, "no request has this service_request_id");
    open311_query_t q = {.kind = "requests", .ids = tracking_id, .limit = 1};
    return simple_read(c, req, fmt, &q, "service_requests", true);
}

/* GET requests and GET servicerequestupdates: parameters into a query, every problem at once. */
static enum MHD_Result list(struct MHD_Connection *c, request_t *req, open311_format_t fmt, bool updates)
{
    open311_form_t *form = open311_form_new();
    json_t *errors = open311_errors_new();
    open311_query_t q = {.kind = NULL};
    enum MHD_Result rc;
    if (!form || !errors || mpf_set_string(&q.kind, updates ? "updates" : "requests") != 0)
        rc = http_send_problem(c, req, &PROBLEM_INTERNAL, NULL, NULL, NULL);
    else if (open311_api_read_form(c, req, fmt, false, form, &rc) != 0)
        ;
    else {
        open311_api_jurisdiction_ok(form, errors);
        if (updates) {
            open311_api_app(form, NULL, errors);
            open311_params_window(form, &q, errors);
            q.limit = OPEN311_PAGE_MAX;
        } else
            open311_params_requests(form, &q, errors);
        json_t *doc = json_array_size(errors) ? NULL : open311_query(c, req, fmt, &q, NULL, &rc);
        if (json_array_size(errors)) {
            rc = open311_send_errors(c, req, fmt, errors);
            errors = NULL;
        } else if (doc)
            rc = answer_read(c, req, fmt, doc, updates ? "service_request_updates" : "service_requests", false);
    }
    json_decref(errors);
    open311_query_clear(&q);
    open311_form_destroy(&form);
    return rc;
}

/* `path` is what follows the base, without the format. */
static enum MHD_Result dispatch(struct MHD_Connection *c, request_t *req, bool get, bool post, const char *path,
                                open311_format_t fmt)
{
    static const char services[] = "services/", requests[] = "requests/", tokens[] = "tokens/";
    if (strcmp(path, "discovery") == 0)
        return get ? discovery(c, req, fmt) : http_wrong_method(c, req, "GET, HEAD");
    if (strcmp(path, "services") == 0 && get) {
        open311_query_t q = {.kind = "services"};
        return simple_read(c, req, fmt, &q, "services", false);
    }
    if (strncmp(path, services, sizeof services - 1) == 0 && get) {
        open311_query_t q = {.kind = "definition"};
        char code[256];
        snprintf(code, sizeof code, "%s", path + sizeof services - 1);
        q.service_code = code;
        return simple_read(c, req, fmt, &q, "service_definition", false);
    }
    if (strcmp(path, "requests") == 0 && (get || post))
        return post ? open311_submit(c, req, fmt) : list(c, req, fmt, false);
    if (strncmp(path, requests, sizeof requests - 1) == 0 && get)
        return one_request(c, req, fmt, path + sizeof requests - 1);
    if (strncmp(path, tokens, sizeof tokens - 1) == 0 && get) {
        char token[256];
        snprintf(token, sizeof token, "%s", path + sizeof tokens - 1);
        if (!open311_token_valid(path + sizeof tokens - 1))
            return open311_send_error(c, req, fmt, 404, "no request has this token");
        open311_query_t q = {.kind = "token", .token = token};
        return simple_read(c, req, fmt, &q, "service_requests", false);
    }
    if (strcmp(path, "servicerequestupdates") == 0 && (get || post))
        return post ? open311_post_update(c, req, fmt) : list(c, req, fmt, true);
    return open311_send_error(c, req, fmt, get || post ? 404 : 400, "no such Open311 resource or method");
}

enum MHD_Result open311_api_route(struct MHD_Connection *c, request_t *req, const char *method, const char *url,
                                  bool *handled)
{
    if (strncmp(url, OPEN311_BASE, sizeof OPEN311_BASE - 1) != 0)
        return MHD_NO;
    *handled = true;
    req->route = "open311";
    const char *resource = url + sizeof OPEN311_BASE - 1, *dot = strrchr(resource, '.');
    char path[256];
    if (!dot || (strcmp(dot, ".xml") != 0 && strcmp(dot, ".json") != 0) || (size_t) (dot - resource) >= sizeof path)
        return open311_send_error(c, req, OPEN311_XML, 404, "resources end in .xml or .json");
    snprintf(path, sizeof path, "%.*s", (int) (dot - resource), resource);
    open311_format_t fmt = strcmp(dot, ".xml") == 0 ? OPEN311_XML : OPEN311_JSON;
    bool get = strcmp(method, "GET") == 0 || strcmp(method, "HEAD") == 0, post = strcmp(method, "POST") == 0;
    return dispatch(c, req, get, post, path, fmt);
}
