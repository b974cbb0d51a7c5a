#include "notify_api.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "msgpack_fields.h"
#include "notify_command_codec.h"
#include "reporter_preferences_codec.h"
#include "request_limits.h"
#include "staff_api.h"
#include "tracking_id.h"

#define API "/api/v1"

static const char *const no_store[] = {"Cache-Control", "no-store", NULL};

static const char *query_arg(struct MHD_Connection *c, const char *name)
{
    return MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, name);
}

static uint32_t int_arg(struct MHD_Connection *c, const char *name, uint32_t fallback)
{
    const char *text = query_arg(c, name);
    char *end = NULL;
    long value = text ? strtol(text, &end, 10) : (long) fallback;
    return text && (*end || end == text || value < 0 || value > 1000000) ? fallback : (uint32_t) value;
}

/* The signed-in member as the command's actor, or false with the answer sent. */
static bool member(struct MHD_Connection *c, request_t *req, notify_command_t *command, enum MHD_Result *rc)
{
    memset(command, 0, sizeof *command);
    return staff_api_actor(c, req, &command->actor, rc);
}

/* Sends the command to aduan-notify (its strings freed) and answers its document with `status`. */
static enum MHD_Result send_command(struct MHD_Connection *c, request_t *req, const char *type,
                                    notify_command_t *command, bool copied, unsigned status)
{
    unsigned char *body = NULL;
    size_t size = 0;
    int encoded = copied ? notify_command_encode(command, &body, &size) : -1;
    notify_command_clear(command);
    return http_document_command(c, req, PEER_NOTIFY, type, encoded, body, size, status);
}

static bool read_event_types(json_t *root, notify_command_t *command, field_errors_t *errors)
{
    json_t *types = json_object_get(root, "event_types"), *item;
    size_t i;
    if (!types)
        return true;
    if (!json_is_array(types) || json_array_size(types) > NOTIFY_EVENT_TYPES_MAX) {
        field_errors_add(errors, "event_types", "type", "event_types must be a list of at most %d event types",
                         NOTIFY_EVENT_TYPES_MAX);
        return true;
    }
    json_array_foreach(types, i, item) {
        if (!json_is_string(item)) {
            field_errors_add(errors, "event_types", "type", "each event type must be a string");
            return true;
        }
        if (mpf_set_string(&command->event_types[i], json_string_value(item)) != 0)
            return false;
    }
    return true;
}

static enum MHD_Result register_webhook(struct MHD_Connection *c, request_t *req, notify_command_t *command)
{
    enum MHD_Result rc;
    json_t *root = http_read_json(c, req, &rc);
    if (!root) {
        notify_command_clear(command);
        return rc;
    }
    field_errors_t errors;
    field_errors_clear(&errors);
    bool copied = mpf_set_string(&command->url, http_json_string(root, "url", true, &errors)) == 0
                  && mpf_set_string(&command->institution, http_json_string(root, "institution", false, &errors)) == 0
                  && mpf_set_string(&command->description, http_json_string(root, "description", false, &errors)) == 0
                  && read_event_types(root, command, &errors);
    json_decref(root);
    if (copied && errors.count) {
        notify_command_clear(command);
        return http_send_problem(c, req, &PROBLEM_VALIDATION, "the webhook has invalid fields", &errors, NULL);
    }
    return send_command(c, req, MSG_WEBHOOK_REGISTER, command, copied, 201);
}

static enum MHD_Result webhooks(struct MHD_Connection *c, request_t *req, const char *method, const char *id_text)
{
    notify_command_t command;
    enum MHD_Result rc;
    bool collection = id_text == NULL;
    bool get = strcmp(method, "GET") == 0 || strcmp(method, "HEAD") == 0;
    if (collection ? !(get || strcmp(method, "POST") == 0) : strcmp(method, "DELETE") != 0)
        return http_wrong_method(c, req, collection ? "GET, HEAD, POST" : "DELETE");
    if (!member(c, req, &command, &rc))
        return rc;
    if (collection)
        return get ? send_command(c, req, MSG_WEBHOOK_LIST, &command, true, 200) : register_webhook(c, req, &command);
    command.id = http_path_id(id_text);
    command.has_id = command.id > 0;   /* none: aduan-notify answers not found after its role check */
    return send_command(c, req, MSG_WEBHOOK_DELETE, &command, true, 204);
}

/* GET or HEAD on a collection, POST on one of its resources; then the signed-in member. False
 * with the answer sent. */
static bool enter(struct MHD_Connection *c, request_t *req, const char *method, bool listing,
                  notify_command_t *command, enum MHD_Result *rc)
{
    if (listing ? strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0 : strcmp(method, "POST") != 0) {
        *rc = http_wrong_method(c, req, listing ? "GET, HEAD" : "POST");
        return false;
    }
    return member(c, req, command, rc);
}

static enum MHD_Result inbox(struct MHD_Connection *c, request_t *req, const char *method, const char *rest)
{
    notify_command_t command;
    enum MHD_Result rc;
    bool listing = rest == NULL;
    if (!enter(c, req, method, listing, &command, &rc))
        return rc;
    if (listing) {
        const char *unread = query_arg(c, "unread");
        command.unread_only = unread && strcmp(unread, "true") == 0;
        command.limit = int_arg(c, "limit", 50);
        return send_command(c, req, MSG_INBOX_LIST, &command, true, 200);
    }
    /* "read" (everything) or "{id}/read" */
    if (strcmp(rest, "read") != 0) {
        const char *slash = strchr(rest, '/');
        char number[24];
        snprintf(number, sizeof number, "%.*s", slash ? (int) (slash - rest) : 0, rest);
        if (!slash || strcmp(slash, "/read") != 0 || !(command.id = http_path_id(number)))
            return http_send_problem(c, req, &PROBLEM_NOT_FOUND, "no such inbox resource", NULL, NULL);
        command.has_id = true;
    }
    return send_command(c, req, MSG_INBOX_READ, &command, true, 204);
}

static enum MHD_Result list_deliveries(struct MHD_Connection *c, request_t *req, notify_command_t *command)
{
    const char *typed = query_arg(c, "report");
    char tracking_id[TRACKING_ID_LEN + 1] = "";
    if (typed && tracking_id_normalize(typed, tracking_id) != 0)
        snprintf(tracking_id, sizeof tracking_id, "-");   /* matches no report */
    const char *webhook = query_arg(c, "webhook");
    command->limit = int_arg(c, "limit", 50);
    command->offset = int_arg(c, "offset", 0);
    command->has_id = webhook != NULL;   /* a webhook id; anything that is not one matches nothing */
    command->id = webhook ? http_path_id(webhook) : 0;
    bool copied = mpf_set_string(&command->tracking_id, typed ? tracking_id : NULL) == 0
                  && mpf_set_string(&command->status, query_arg(c, "status")) == 0
                  && mpf_set_string(&command->channel, query_arg(c, "channel")) == 0;
    return send_command(c, req, MSG_DELIVERY_LIST, command, copied, 200);
}

static enum MHD_Result deliveries(struct MHD_Connection *c, request_t *req, const char *method, const char *rest)
{
    notify_command_t command;
    enum MHD_Result rc;
    bool listing = rest == NULL;
    if (!enter(c, req, method, listing, &command, &rc))
        return rc;
    if (listing)
        return list_deliveries(c, req, &command);
    const char *slash = strchr(rest, '/');
    if (!slash || strcmp(slash, "/resend") != 0 || slash - rest != NOTIFY_DELIVERY_ID_LEN) {
        notify_command_clear(&command);
        return http_send_problem(c, req, &PROBLEM_NOT_FOUND, "no such delivery resource", NULL, NULL);
    }
    bool copied = (command.delivery_id = strndup(rest, NOTIFY_DELIVERY_ID_LEN)) != NULL;
    return send_command(c, req, MSG_DELIVERY_RESEND, &command, copied, 202);
}

/* The reporter's choices from the body into *prefs (language into its buffer), the problems
 * into *errors. */
static void read_preferences(json_t *root, reporter_preferences_t *prefs, char language[3], field_errors_t *errors)
{
    json_t *enabled = json_object_get(root, "enabled");
    if (enabled && !json_is_boolean(enabled))
        field_errors_add(errors, "enabled", "type", "enabled must be true or false");
    const char *typed = http_json_string(root, "language", false, errors);
    if (typed && strcmp(typed, "id") != 0 && strcmp(typed, "en") != 0)
        field_errors_add(errors, "language", "invalid", "language must be id or en");
    if (!enabled && !typed)
        field_errors_add(errors, "enabled", "required", "send enabled, language or both");
    prefs->has_enabled = enabled != NULL;
    prefs->enabled = enabled && json_is_true(enabled);
    if (typed && !errors->count) {
        snprintf(language, 3, "%s", typed);
        prefs->language = language;
    }
}

static enum MHD_Result answer_preferences(struct MHD_Connection *c, request_t *req, const envelope_t *reply,
                                          const char *reason)
{
    reporter_preferences_set_t now;
    char why[200];
    if (!reply || strcmp(reply->type, MSG_REPORT_NOTIFICATIONS_SET) != 0
        || reporter_preferences_set_decode(reply->body, reply->body_size, &now, why, sizeof why) != 0)
        return http_send_command_failure(c, req, reply, reason);
    enum MHD_Result rc = http_send_json(c, req, 200, json_pack("{s:s, s:b, s:s}", "tracking_id", now.tracking_id,
                                                                 "enabled", now.enabled, "language", now.language),
                                        no_store);
    reporter_preferences_set_clear(&now);
    return rc;
}

/* The reporter's token, copied so the request can carry it; "" when there is none. A token too
 * long to be one gets the answer of a wrong token. */
static bool reporter_token(struct MHD_Connection *c, char token[REPORTER_TOKEN_MAX + 1])
{
    const char *sent = http_bearer_token(c);
    return snprintf(token, REPORTER_TOKEN_MAX + 1, "%s", sent ? sent : "") <= REPORTER_TOKEN_MAX;
}

static enum MHD_Result reporter_preferences(struct MHD_Connection *c, request_t *req, const char *typed_id)
{
    enum MHD_Result rc;
    json_t *root = http_read_json(c, req, &rc);
    if (!root)
        return rc;
    field_errors_t errors;
    field_errors_clear(&errors);
    char tracking_id[TRACKING_ID_LEN + 1], language[3], token[REPORTER_TOKEN_MAX + 1];
    reporter_preferences_t prefs = {.tracking_id = tracking_id, .reporter_token = token};
    read_preferences(root, &prefs, language, &errors);
    json_decref(root);
    if (errors.count)
        return http_send_problem(c, req, &PROBLEM_VALIDATION, "send enabled and/or language", &errors, NULL);
    if (tracking_id_normalize(typed_id, tracking_id) != 0 || !reporter_token(c, token))
        return http_send_problem(c, req, &PROBLEM_NOT_FOUND, "no report with this tracking id and reporter token",
                                 NULL, NULL);
    if (!request_limits_admit(c, req, RATE_REPORTER, tracking_id, &rc))
        return rc;
    unsigned char *body = NULL;
    size_t size = 0;
    char reason[256];
    if (reporter_preferences_encode(&prefs, &body, &size) != 0)
        return http_send_problem(c, req, &PROBLEM_INTERNAL, NULL, NULL, NULL);
    envelope_t *reply = http_command(req, PEER_INTAKE, MSG_REPORT_NOTIFICATIONS, body, size, reason, sizeof reason);
    rc = answer_preferences(c, req, reply, reason);
    envelope_destroy(&reply);
    return rc;
}

enum MHD_Result notify_api_route(struct MHD_Connection *c, request_t *req, const char *method, const char *url,
                                 bool *handled)
{
    const char *rest;
    *handled = true;
    if ((rest = http_path_under(url, API "/webhooks"))) {
        req->route = "webhooks";
        return webhooks(c, req, method, rest[0] ? rest : NULL);
    }
    if ((rest = http_path_under(url, API "/inbox"))) {
        req->route = "inbox";
        return inbox(c, req, method, rest[0] ? rest : NULL);
    }
    if ((rest = http_path_under(url, API "/deliveries"))) {
        req->route = "deliveries";
        return deliveries(c, req, method, rest[0] ? rest : NULL);
    }
    if ((rest = http_path_under(url, API "/reports")) && rest[0]) {
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
