#include "notify_api.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "delivery_store.h"
#include "inbox_store.h"
#include "logger.h"
#include "reporter_notifications.h"
#include "staff_api.h"
#include "tracking_id.h"
#include "webhook_store.h"

#define API "/api/v1"
#define RESEND_ATTEMPTS 3

static const char *const no_store[] = {"Cache-Control", "no-store", NULL};

static bool is_admin(const staff_member_t *who)
{
    return strcmp(who->role, "national_admin") == 0 || strcmp(who->role, "institution_admin") == 0;
}

static enum MHD_Result send_document(struct MHD_Connection *c, request_t *req, unsigned status, char *json)
{
    return http_send_text(c, req, status, "application/json; charset=utf-8", json, no_store);
}

/* A positive id from a path segment, 0 when it is not one. */
static long long path_id(const char *text)
{
    char *end = NULL;
    long long id = strtoll(text, &end, 10);
    return end != text && *end == '\0' && id > 0 ? id : 0;
}

static const char *query_arg(struct MHD_Connection *c, const char *name)
{
    return MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, name);
}

static int int_arg(struct MHD_Connection *c, const char *name, int fallback)
{
    const char *text = query_arg(c, name);
    char *end = NULL;
    long value = text ? strtol(text, &end, 10) : fallback;
    return text && (*end || end == text || value < 0 || value > 1000000) ? fallback : (int) value;
}

/* The signed-in member and this thread's database, or false with the answer sent. */
static bool member(struct MHD_Connection *c, request_t *req, staff_member_t *who, db_t **db, enum MHD_Result *rc)
{
    if (!staff_api_authenticate(c, req, who, rc))
        return false;
    db_error_t error = {"", ""};
    if (!(*db = staff_api_db(&error))) {
        *rc = staff_api_unavailable(c, req, &error);
        return false;
    }
    return true;
}

static void read_event_types(json_t *root, webhook_registration_t *reg, field_errors_t *errors)
{
    json_t *types = json_object_get(root, "event_types"), *item;
    size_t i;
    if (!types)
        return;
    if (!json_is_array(types) || json_array_size(types) > WEBHOOK_EVENT_TYPES_MAX) {
        field_errors_add(errors, "event_types", "type", "event_types must be a list of at most %d event types",
                         WEBHOOK_EVENT_TYPES_MAX);
        return;
    }
    json_array_foreach(types, i, item) {
        if (!json_is_string(item)) {
            field_errors_add(errors, "event_types", "type", "each event type must be a string");
            return;
        }
        reg->event_types[i] = json_string_value(item);
    }
}

static enum MHD_Result register_webhook(struct MHD_Connection *c, request_t *req, const staff_member_t *who, db_t *db)
{
    enum MHD_Result rc;
    json_t *root = http_read_json(c, req, &rc);
    if (!root)
        return rc;
    field_errors_t errors;
    field_errors_clear(&errors);
    webhook_registration_t reg = {.url = http_json_string(root, "url", true, &errors),
                                  .institution = http_json_string(root, "institution", false, &errors),
                                  .description = http_json_string(root, "description", false, &errors)};
    read_event_types(root, &reg, &errors);
    char *json = NULL;
    db_error_t error = {"", ""};
    int done = errors.count ? 1 : webhook_store_register(db, &reg, who, &json, &errors, &error);
    if (done == 0) {
        logger_info("%s registered a webhook for %s", who->username, reg.institution ? reg.institution : who->institution);
        rc = send_document(c, req, 201, json);
    } else if (done == 1) {
        rc = http_send_problem(c, req, &PROBLEM_VALIDATION, "the webhook has invalid fields", &errors, NULL);
    } else if (done == 2) {
        rc = http_send_problem(c, req, &PROBLEM_FORBIDDEN, "admins register webhooks for their own subtree only",
                               NULL, NULL);
    } else {
        rc = staff_api_unavailable(c, req, &error);
    }
    json_decref(root);
    return rc;
}

static enum MHD_Result webhooks(struct MHD_Connection *c, request_t *req, const char *method, const char *id_text)
{
    staff_member_t who;
    db_t *db;
    enum MHD_Result rc;
    bool collection = id_text == NULL;
    const char *allowed = collection ? "GET, HEAD, POST" : "DELETE";
    bool get = strcmp(method, "GET") == 0 || strcmp(method, "HEAD") == 0;
    if (collection ? !(get || strcmp(method, "POST") == 0) : strcmp(method, "DELETE") != 0)
        return http_wrong_method(c, req, allowed);
    if (!member(c, req, &who, &db, &rc))
        return rc;
    if (!is_admin(&who))
        return http_send_problem(c, req, &PROBLEM_FORBIDDEN, "webhooks are managed by admins", NULL, NULL);
    if (collection && !get)
        return register_webhook(c, req, &who, db);
    db_error_t error = {"", ""};
    if (collection) {
        char *json = NULL;
        return webhook_store_list(db, &who, &json, &error) == 0 ? send_document(c, req, 200, json)
                                                                : staff_api_unavailable(c, req, &error);
    }
    long long id = path_id(id_text);
    int done = id ? webhook_store_disable(db, id, &who, NULL, &error) : 1;
    if (done < 0)
        return staff_api_unavailable(c, req, &error);
    if (done == 1)
        return http_send_problem(c, req, &PROBLEM_NOT_FOUND, "no webhook of your subtree has this id", NULL, NULL);
    logger_info("%s removed webhook %lld", who.username, id);
    return http_send_text(c, req, 204, "text/plain", NULL, NULL);
}

/* GET or HEAD on a collection, POST on one of its resources; then the signed-in member and this
 * thread's database. False with the answer sent. */
static bool enter(struct MHD_Connection *c, request_t *req, const char *method, bool listing, staff_member_t *who,
                  db_t **db, enum MHD_Result *rc)
{
    if (listing ? strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0 : strcmp(method, "POST") != 0) {
        *rc = http_wrong_method(c, req, listing ? "GET, HEAD" : "POST");
        return false;
    }
    return member(c, req, who, db, rc);
}

static enum MHD_Result inbox(struct MHD_Connection *c, request_t *req, const char *method, const char *rest)
{
    staff_member_t who;
    db_t *db;
    enum MHD_Result rc;
    bool listing = rest == NULL;
    if (!enter(c, req, method, listing, &who, &db, &rc))
        return rc;
    db_error_t error = {"", ""};
    if (listing) {
        const char *unread = query_arg(c, "unread");
        char *json = NULL;
        return inbox_store_list(db, who.id, unread && strcmp(unread, "true") == 0, int_arg(c, "limit", 50), &json,
                                &error) == 0 ? send_document(c, req, 200, json) : staff_api_unavailable(c, req, &error);
    }
    /* "read" (everything) or "{id}/read" */
    long long id = 0;
    if (strcmp(rest, "read") != 0) {
        const char *slash = strchr(rest, '/');
        char number[24];
        snprintf(number, sizeof number, "%.*s", slash ? (int) (slash - rest) : 0, rest);
        if (!slash || strcmp(slash, "/read") != 0 || !(id = path_id(number)))
            return http_send_problem(c, req, &PROBLEM_NOT_FOUND, "no such inbox resource", NULL, NULL);
    }
    int done = inbox_store_mark_read(db, who.id, id, &error);
    if (done < 0)
        return staff_api_unavailable(c, req, &error);
    if (done == 1)
        return http_send_problem(c, req, &PROBLEM_NOT_FOUND, "no item of your inbox has this id", NULL, NULL);
    return http_send_text(c, req, 204, "text/plain", NULL, NULL);
}

static enum MHD_Result deliveries(struct MHD_Connection *c, request_t *req, const char *method, const char *rest)
{
    staff_member_t who;
    db_t *db;
    enum MHD_Result rc;
    bool listing = rest == NULL;
    if (!enter(c, req, method, listing, &who, &db, &rc))
        return rc;
    db_error_t error = {"", ""};
    char *json = NULL;
    if (listing) {
        const char *typed = query_arg(c, "report");
        char tracking_id[TRACKING_ID_LEN + 1] = "";
        if (typed && tracking_id_normalize(typed, tracking_id) != 0)
            snprintf(tracking_id, sizeof tracking_id, "-");   /* matches no report */
        delivery_filter_t filter = {typed ? tracking_id : NULL, query_arg(c, "status"), query_arg(c, "channel"),
                                    int_arg(c, "limit", 50), int_arg(c, "offset", 0)};
        return delivery_store_list(db, &who, &filter, &json, &error) == 0 ? send_document(c, req, 200, json)
                                                                          : staff_api_unavailable(c, req, &error);
    }
    const char *slash = strchr(rest, '/');
    char delivery_id[DELIVERY_ID_LEN + 1] = "";
    if (!slash || strcmp(slash, "/resend") != 0 || slash - rest != DELIVERY_ID_LEN)
        return http_send_problem(c, req, &PROBLEM_NOT_FOUND, "no such delivery resource", NULL, NULL);
    memcpy(delivery_id, rest, DELIVERY_ID_LEN);
    if (!is_admin(&who))
        return http_send_problem(c, req, &PROBLEM_FORBIDDEN, "deliveries are re-sent by admins", NULL, NULL);
    int done = delivery_store_resend(db, &who, delivery_id, RESEND_ATTEMPTS, &json, &error);
    if (done < 0)
        return staff_api_unavailable(c, req, &error);
    if (done == 1)
        return http_send_problem(c, req, &PROBLEM_NOT_FOUND, "no delivery of your subtree has this id", NULL, NULL);
    if (done == 2)
        return http_send_problem(c, req, &PROBLEM_NOT_RESENDABLE, "the delivery is not dead, or its webhook is off",
                                 NULL, NULL);
    logger_info("%s re-sent delivery %s", who.username, delivery_id);
    return send_document(c, req, 202, json);
}

static enum MHD_Result reporter_preferences(struct MHD_Connection *c, request_t *req, const char *typed_id)
{
    enum MHD_Result rc;
    json_t *root = http_read_json(c, req, &rc);
    if (!root)
        return rc;
    field_errors_t errors;
    field_errors_clear(&errors);
    json_t *enabled = json_object_get(root, "enabled");
    if (enabled && !json_is_boolean(enabled))
        field_errors_add(&errors, "enabled", "type", "enabled must be true or false");
    const char *language = http_json_string(root, "language", false, &errors);
    if (language && strcmp(language, "id") != 0 && strcmp(language, "en") != 0)
        field_errors_add(&errors, "language", "invalid", "language must be id or en");
    if (!enabled && !language)
        field_errors_add(&errors, "enabled", "required", "send enabled, language or both");
    bool on = enabled && json_is_true(enabled);
    char tracking_id[TRACKING_ID_LEN + 1];
    reporter_notifications_t now;
    db_error_t error = {"", ""};
    db_t *db = errors.count ? NULL : staff_api_db(&error);
    int done = errors.count ? 2 : !db ? -1 : tracking_id_normalize(typed_id, tracking_id) != 0 ? 1
             : reporter_notifications_set(db, tracking_id, http_bearer_token(c), enabled ? &on : NULL, language, &now, &error);
    json_decref(root);
    if (done == 2)
        return http_send_problem(c, req, &PROBLEM_VALIDATION, "send enabled and/or language", &errors, NULL);
    if (done < 0)
        return staff_api_unavailable(c, req, &error);
    if (done == 1)   /* the same answer for an unknown report and a wrong token */
        return http_send_problem(c, req, &PROBLEM_NOT_FOUND, "no report with this tracking id and reporter token",
                                 NULL, NULL);
    return http_send_json(c, req, 200, json_pack("{s:s, s:b, s:s}", "tracking_id", tracking_id, "enabled",
                                                 now.enabled, "language", now.language), no_store);
}

/* The part of url after prefix: NULL when url is not under it, "" when it is the prefix itself. */
static const char *under(const char *url, const char *prefix)
{
    size_t n = strlen(prefix);
    if (strncmp(url, prefix, n) != 0 || (url[n] != '\0' && url[n] != '/'))
        return NULL;
    return url[n] == '/' ? url + n + 1 : "";
}

enum MHD_Result notify_api_route(struct MHD_Connection *c, request_t *req, const char *method, const char *url,
                                 bool *handled)
{
    const char *rest;
    *handled = true;
    if ((rest = under(url, API "/webhooks"))) {
        req->route = "webhooks";
        return webhooks(c, req, method, rest[0] ? rest : NULL);
    }
    if ((rest = under(url, API "/inbox"))) {
        req->route = "inbox";
        return inbox(c, req, method, rest[0] ? rest : NULL);
    }
    if ((rest = under(url, API "/deliveries"))) {
        req->route = "deliveries";
        return deliveries(c, req, method, rest[0] ? rest : NULL);
    }
    if ((rest = under(url, API "/reports")) && rest[0]) {
        const char *slash = strchr(rest, '/');
        if (slash && strcmp(slash, "/notifications") == 0) {
            req->route = "report_notifications";
            char typed[64];
            snprintf(typed, sizeof typed, "%.*s", (int) (slash - rest), rest);
            return strcmp(method, "PUT") == 0 ? reporter_preferences(c, req, typed) : http_wrong_method(c, req, "PUT");
        }
    }
    *handled = false;
    return MHD_NO;
}
