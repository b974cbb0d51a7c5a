#include "desk_saved_filters.h"

#include <stdlib.h>
#include <string.h>

#include "desk_filter_codec.h"
#include "desk_filters.h"
#include "msgpack_fields.h"
#include "staff_api.h"
#include "utf8_text.h"

#define FILTERS_PATH "/api/v1/desk/filters"
#define NAME_MAX_CHARS 80

static const char *object_string(void *filters, const char *name)
{
    return json_string_value(json_object_get(filters, name));
}

/* Only known filters, each a string, valid as the desk reads them. */
static void check_filters(json_t *filters, field_errors_t *errors)
{
    if (!json_is_object(filters)) {
        field_errors_add(errors, "filters", "type", "filters is an object of the desk's query arguments");
        return;
    }
    const char *key;
    json_t *value;
    json_object_foreach(filters, key, value) {
        if (!desk_filters_known(key))
            field_errors_add(errors, key, "unknown", "not a filter of the desk");
        else if (!json_is_string(value))
            field_errors_add(errors, key, "type", "a filter's value is a string, as in the query");
    }
    if (!errors->count)
        desk_filters_check(object_string, filters, errors);
}

static void check_name(const char *name, field_errors_t *errors)
{
    long n = name ? utf8_text_length(name, strlen(name)) : -1;
    if (n < 1 || n > NAME_MAX_CHARS || !utf8_text_is_printable(name, false))
        field_errors_add(errors, "name", "invalid", "a name has 1 to %d printable characters", NAME_MAX_CHARS);
}

/* Sends the command to aduan-intake (its strings freed) and answers its document with `status`. */
static enum MHD_Result send_command(struct MHD_Connection *c, request_t *req, const char *type,
                                    desk_filter_command_t *command, unsigned status)
{
    unsigned char *body = NULL;
    size_t size = 0;
    int encoded = desk_filter_command_encode(command, &body, &size);
    desk_filter_command_clear(command);
    return http_document_command(c, req, PEER_INTAKE, type, encoded, body, size, status);
}

static enum MHD_Result save_filter(struct MHD_Connection *c, request_t *req, desk_filter_command_t *command)
{
    enum MHD_Result rc;
    json_t *root = http_read_json(c, req, &rc);
    if (!root)
        return rc;
    field_errors_t errors;
    field_errors_clear(&errors);
    const char *name = http_json_string(root, "name", true, &errors);
    json_t *filters = json_object_get(root, "filters");
    check_name(name, &errors);
    check_filters(filters, &errors);
    bool copied = errors.count == 0 && mpf_set_string(&command->name, name) == 0
                  && (command->filters = json_dumps(filters, JSON_COMPACT | JSON_SORT_KEYS)) != NULL;
    json_decref(root);
    if (errors.count)
        return http_send_problem(c, req, &PROBLEM_VALIDATION, "the saved filter is invalid", &errors, NULL);
    if (!copied) {
        desk_filter_command_clear(command);
        return http_send_problem(c, req, &PROBLEM_INTERNAL, NULL, NULL, NULL);
    }
    return send_command(c, req, MSG_DESK_FILTER_SAVE, command, 201);
}

static enum MHD_Result delete_filter(struct MHD_Connection *c, request_t *req, desk_filter_command_t *command,
                                     const char *id)
{
    if (!*id || strspn(id, "0123456789") != strlen(id) || strlen(id) > 18)
        return http_send_problem(c, req, &PROBLEM_NOT_FOUND, "you have no saved filter with this id", NULL, NULL);
    command->id = strtoll(id, NULL, 10);
    command->has_id = true;
    return send_command(c, req, MSG_DESK_FILTER_DELETE, command, 204);
}

enum MHD_Result desk_saved_filters_route(struct MHD_Connection *c, request_t *req, const char *method, const char *url,
                                         bool *handled)
{
    bool collection = strcmp(url, FILTERS_PATH) == 0;
    bool item = strncmp(url, FILTERS_PATH "/", sizeof FILTERS_PATH) == 0;
    if (!collection && !item)
        return MHD_NO;
    *handled = true;
    req->route = collection ? "desk_filters" : "desk_filter";
    bool get = strcmp(method, "GET") == 0 || strcmp(method, "HEAD") == 0, post = strcmp(method, "POST") == 0;
    if (collection ? !(get || post) : strcmp(method, "DELETE") != 0)
        return http_wrong_method(c, req, collection ? "GET, HEAD, POST" : "DELETE");
    staff_member_t who;
    enum MHD_Result rc;
    if (!staff_api_authenticate(c, req, &who, &rc))
        return rc;
    desk_filter_command_t command = {.staff_id = who.id};
    if (item)
        return delete_filter(c, req, &command, url + sizeof FILTERS_PATH);
    return post ? save_filter(c, req, &command) : send_command(c, req, MSG_DESK_FILTER_LIST, &command, 200);
}
