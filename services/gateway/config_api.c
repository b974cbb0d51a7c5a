#include "config_api.h"

#include <stdio.h>
#include <string.h>

#include "config_command_codec.h"
#include "msgpack_fields.h"
#include "staff_api.h"

#define ADMIN "/api/v1/admin"

typedef enum { KEY_DAY, KEY_ID, KEY_CODE } item_key_t;

/* One collection of reference data: who owns it, its commands (NULL: not offered), and the
 * fields of a new or changed item. */
typedef struct {
    const char *path;            /* under ADMIN */
    const char *route;           /* for the metrics */
    command_peer_t owner;
    const char *list, *add, *remove, *update, *deactivate, *reactivate;
    const char *what;            /* "holiday": in the problem's title */
    void (*read)(json_t *root, config_command_t *command, field_errors_t *errors, bool *copied);
    item_key_t key;              /* what an item's path segment is */
    unsigned added;              /* the status of a POST: 201, or 200 when nothing is created */
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

/* A new category (code required: aduan-intake says so) or a renamed one (code from the path). */
static void read_category(json_t *root, config_command_t *command, field_errors_t *errors, bool *copied)
{
    if (!command->code)
        copy(&command->code, http_json_string(root, "code", false, errors), copied);
    copy(&command->parent, http_json_string(root, "parent", false, errors), copied);
    copy(&command->name, http_json_string(root, "name", false, errors), copied);
    copy(&command->name_en, http_json_string(root, "name_en", false, errors), copied);
}

static void read_template(json_t *root, config_command_t *command, field_errors_t *errors, bool *copied)
{
    copy(&command->template, http_json_string(root, "template", false, errors), copied);
    copy(&command->language, http_json_string(root, "language", false, errors), copied);
    copy(&command->subject, http_json_string(root, "subject", false, errors), copied);
    copy(&command->text_body, http_json_string(root, "text_body", false, errors), copied);
    copy(&command->html_body, http_json_string(root, "html_body", false, errors), copied);
}

static const collection_t collections[] = {
    {"/holidays", "admin_holidays", PEER_ROUTE, MSG_HOLIDAY_LIST, MSG_HOLIDAY_ADD, MSG_HOLIDAY_REMOVE, NULL, NULL,
     NULL, "holiday", read_holiday, KEY_DAY, 201},
    {"/routing-rules", "admin_routing_rules", PEER_ROUTE, MSG_ROUTING_RULE_LIST, MSG_ROUTING_RULE_ADD,
     MSG_ROUTING_RULE_REMOVE, MSG_ROUTING_RULE_UPDATE, NULL, NULL, "routing rule", read_rule, KEY_ID, 201},
    {"/categories", "admin_categories", PEER_INTAKE, MSG_CATEGORY_LIST, MSG_CATEGORY_ADD, NULL, MSG_CATEGORY_RENAME,
     MSG_CATEGORY_DEACTIVATE, MSG_CATEGORY_REACTIVATE, "category", read_category, KEY_CODE, 201},
    /* POST stores a template's texts in a language; a preview renders them without storing */
    {"/templates", "admin_templates", PEER_NOTIFY, MSG_TEMPLATE_LIST, MSG_TEMPLATE_SET, NULL, NULL, NULL, NULL,
     "template", read_template, KEY_CODE, 200},
    {"/template-previews", "admin_template_previews", PEER_NOTIFY, NULL, MSG_TEMPLATE_PREVIEW, NULL, NULL, NULL, NULL,
     "template", read_template, KEY_CODE, 200},
};

/* The signed-in member as the command's actor, or false with the answer sent. */
static bool member(struct MHD_Connection *c, request_t *req, config_command_t *command, enum MHD_Result *rc)
{
    memset(command, 0, sizeof *command);
    return staff_api_actor(c, req, &command->actor, rc);
}

/* Sends the command to the owner (its strings freed) and answers its document with `status`. */
static enum MHD_Result send_command(struct MHD_Connection *c, request_t *req, const collection_t *on,
                                    const char *type, config_command_t *command, bool copied, unsigned status)
{
    unsigned char *body = NULL;
    size_t size = 0;
    int encoded = copied ? config_command_encode(command, &body, &size) : -1;
    config_command_clear(command);
    return http_document_command(c, req, on->owner, type, encoded, body, size, status);
}

/* POST on the collection (201) or PATCH on an item (200): the body's fields, then the command. */
static enum MHD_Result with_body(struct MHD_Connection *c, request_t *req, const collection_t *on, const char *type,
                                 config_command_t *command, unsigned status)
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
    return send_command(c, req, on, type, command, copied, status);
}

/* The item named by the path segment into the command; false (answer sent) when it names none. */
static bool item(struct MHD_Connection *c, request_t *req, const collection_t *on, config_command_t *command,
                 const char *key, enum MHD_Result *rc)
{
    bool copied = true;
    if (on->key == KEY_ID) {
        command->id = http_path_id(key);
        command->has_id = command->id > 0;
        copied = command->has_id;
    } else
        copy(on->key == KEY_DAY ? &command->day : &command->code, key, &copied);
    if (!copied) {
        config_command_clear(command);
        *rc = http_send_problem(c, req, &PROBLEM_NOT_FOUND, "no such item", NULL, NULL);
    }
    return copied;
}

/* Whether `verb` is one of the POST .../deactivate | reactivate an item may have. */
static bool is_verb(const char *verb)
{
    return strcmp(verb, "deactivate") == 0 || strcmp(verb, "reactivate") == 0;
}

/* The Allow header of an item (its DELETE and PATCH). */
static const char *item_methods(const collection_t *on)
{
    if (on->remove && on->update)
        return "DELETE, PATCH";
    return on->remove ? "DELETE" : "PATCH";
}

/* The command of POST .../{verb} on an item: NULL when the collection has none. */
static const char *verb_type(const collection_t *on, const char *verb)
{
    if (strcmp(verb, "deactivate") == 0)
        return on->deactivate;
    if (strcmp(verb, "reactivate") == 0)
        return on->reactivate;
    return NULL;
}

/* The methods on an item: DELETE (remove), PATCH (update), POST .../deactivate | reactivate. */
static enum MHD_Result on_item(struct MHD_Connection *c, request_t *req, const collection_t *on, const char *method,
                               const char *key, const char *verb)
{
    const char *type = NULL;
    unsigned status = 200;
    if (verb)
        type = strcmp(method, "POST") == 0 ? verb_type(on, verb) : NULL;
    else if (strcmp(method, "DELETE") == 0) {
        type = on->remove;
        status = 204;
    } else if (strcmp(method, "PATCH") == 0)
        type = on->update;
    if (!type && verb && !is_verb(verb))
        return http_send_problem(c, req, &PROBLEM_NOT_FOUND, "no such resource", NULL, NULL);
    if (!type)
        return http_wrong_method(c, req, verb ? "POST" : item_methods(on));
    config_command_t command;
    enum MHD_Result rc;
    if (!member(c, req, &command, &rc) || !item(c, req, on, &command, key, &rc))
        return rc;
    if (strcmp(method, "PATCH") == 0)
        return with_body(c, req, on, type, &command, status);
    return send_command(c, req, on, type, &command, true, status);
}

static enum MHD_Result on_collection(struct MHD_Connection *c, request_t *req, const collection_t *on,
                                     const char *method)
{
    config_command_t command;
    enum MHD_Result rc;
    bool get = on->list && (strcmp(method, "GET") == 0 || strcmp(method, "HEAD") == 0);
    if (!get && strcmp(method, "POST") != 0)
        return http_wrong_method(c, req, on->list ? "GET, HEAD, POST" : "POST");
    if (!member(c, req, &command, &rc))
        return rc;
    return get ? send_command(c, req, on, on->list, &command, true, 200)
               : with_body(c, req, on, on->add, &command, on->added);
}

enum MHD_Result config_api_route(struct MHD_Connection *c, request_t *req, const char *method, const char *url,
                                 bool *handled)
{
    const char *rest = http_path_under(url, ADMIN);
    *handled = false;
    for (size_t i = 0; rest && i < sizeof collections / sizeof collections[0]; i++) {
        const char *item_path = http_path_under(url + strlen(ADMIN), collections[i].path);
        if (!item_path)
            continue;
        *handled = true;
        req->route = collections[i].route;
        if (!item_path[0])
            return on_collection(c, req, &collections[i], method);
        const char *slash = strchr(item_path, '/');
        char key[64];
        if ((size_t) snprintf(key, sizeof key, "%.*s", slash ? (int) (slash - item_path) : 63, item_path) >= sizeof key
            || strchr(slash ? slash + 1 : "", '/'))
            return http_send_problem(c, req, &PROBLEM_NOT_FOUND, "no such resource", NULL, NULL);
        return on_item(c, req, &collections[i], method, key, slash ? slash + 1 : NULL);
    }
    return MHD_NO;
}
