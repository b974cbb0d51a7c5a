#include "config_api.h"

#include <stdio.h>
#include <string.h>

#include "config_command_codec.h"
#include "msgpack_fields.h"
#include "staff_api.h"

#define ADMIN "/api/v1/admin"

/* One collection of reference data: who owns it, its commands, and the fields of a new item. */
typedef struct {
    const char *path;            /* under ADMIN */
    const char *route;           /* for the metrics */
    command_peer_t owner;
    const char *list, *add, *remove;
    const char *what;            /* "holiday": in the problem's title */
    void (*read)(json_t *root, config_command_t *command, field_errors_t *errors, bool *copied);
    bool numeric_key;            /* the item's path segment is an id, else the value of `day` */
} collection_t;

static void copy(char **target, const char *value, bool *copied)
{
    if (*copied && mpf_set_string(target, value) != 0)
        *copied = false;
}

static void read_holiday(json_t *root, config_command_t *command, field_errors_t *errors, bool *copied)
{
    copy(&command->day, http_json_string(root, "day", true, errors), copied);
    copy(&command->name, http_json_string(root, "name", true, errors), copied);
    copy(&command->kind, http_json_string(root, "kind", false, errors), copied);
}

static void read_rule(json_t *root, config_command_t *command, field_errors_t *errors, bool *copied)
{
    copy(&command->category, http_json_string(root, "category", false, errors), copied);
    copy(&command->region, http_json_string(root, "region", false, errors), copied);
    copy(&command->institution, http_json_string(root, "institution", true, errors), copied);
}

static const collection_t collections[] = {
    {"/holidays", "admin_holidays", PEER_ROUTE, MSG_HOLIDAY_LIST, MSG_HOLIDAY_ADD, MSG_HOLIDAY_REMOVE, "holiday",
     read_holiday, false},
    {"/routing-rules", "admin_routing_rules", PEER_ROUTE, MSG_ROUTING_RULE_LIST, MSG_ROUTING_RULE_ADD,
     MSG_ROUTING_RULE_REMOVE, "routing rule", read_rule, true},
};

/* The signed-in member as the command's actor, or false with the answer sent. */
static bool member(struct MHD_Connection *c, request_t *req, config_command_t *command, enum MHD_Result *rc)
{
    staff_member_t who;
    memset(command, 0, sizeof *command);
    if (!staff_api_authenticate(c, req, &who, rc))
        return false;
    command->actor_id = who.id;
    snprintf(command->actor_role, sizeof command->actor_role, "%s", who.role);
    snprintf(command->actor_username, sizeof command->actor_username, "%s", who.username);
    snprintf(command->actor_institution, sizeof command->actor_institution, "%s", who.institution);
    return true;
}

/* Sends the command to the owner (its strings freed) and answers its document with `status`. */
static enum MHD_Result send_command(struct MHD_Connection *c, request_t *req, const collection_t *on,
                                    const char *type, config_command_t *command, bool copied, unsigned status)
{
    unsigned char *body = NULL;
    size_t size = 0;
    char reason[256];
    int encoded = copied ? config_command_encode(command, &body, &size) : -1;
    config_command_clear(command);
    if (encoded != 0)
        return http_send_problem(c, req, &PROBLEM_INTERNAL, NULL, NULL, NULL);
    envelope_t *reply = http_command(req, on->owner, type, body, size, reason, sizeof reason);
    enum MHD_Result rc = http_send_document_reply(c, req, reply, reason, status);
    envelope_destroy(&reply);
    return rc;
}

static enum MHD_Result add(struct MHD_Connection *c, request_t *req, const collection_t *on, config_command_t *command)
{
    enum MHD_Result rc;
    json_t *root = http_read_json(c, req, &rc);
    if (!root) {
        config_command_clear(command);
        return rc;
    }
    field_errors_t errors;
    field_errors_clear(&errors);
    bool copied = true;
    on->read(root, command, &errors, &copied);
    json_decref(root);
    if (copied && errors.count) {
        config_command_clear(command);
        char title[64];
        snprintf(title, sizeof title, "the %s has invalid fields", on->what);
        return http_send_problem(c, req, &PROBLEM_VALIDATION, title, &errors, NULL);
    }
    return send_command(c, req, on, on->add, command, copied, 201);
}

static enum MHD_Result remove_item(struct MHD_Connection *c, request_t *req, const collection_t *on,
                                   config_command_t *command, const char *key)
{
    bool copied = true;
    if (on->numeric_key) {
        command->id = http_path_id(key);
        command->has_id = command->id > 0;
        if (!command->has_id) {
            config_command_clear(command);
            return http_send_problem(c, req, &PROBLEM_NOT_FOUND, "no such item", NULL, NULL);
        }
    } else
        copy(&command->day, key, &copied);
    return send_command(c, req, on, on->remove, command, copied, 204);
}

static enum MHD_Result serve(struct MHD_Connection *c, request_t *req, const collection_t *on, const char *method,
                             const char *key)
{
    config_command_t command;
    enum MHD_Result rc;
    bool get = strcmp(method, "GET") == 0 || strcmp(method, "HEAD") == 0;
    if (key ? strcmp(method, "DELETE") != 0 : !(get || strcmp(method, "POST") == 0))
        return http_wrong_method(c, req, key ? "DELETE" : "GET, HEAD, POST");
    if (!member(c, req, &command, &rc))
        return rc;
    if (key)
        return remove_item(c, req, on, &command, key);
    return get ? send_command(c, req, on, on->list, &command, true, 200) : add(c, req, on, &command);
}

enum MHD_Result config_api_route(struct MHD_Connection *c, request_t *req, const char *method, const char *url,
                                 bool *handled)
{
    const char *rest = http_path_under(url, ADMIN);
    *handled = false;
    for (size_t i = 0; rest && i < sizeof collections / sizeof collections[0]; i++) {
        const char *key = http_path_under(url + strlen(ADMIN), collections[i].path);
        if (!key || strchr(key, '/'))
            continue;
        *handled = true;
        req->route = collections[i].route;
        return serve(c, req, &collections[i], method, key[0] ? key : NULL);
    }
    return MHD_NO;
}
