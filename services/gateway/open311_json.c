#include "open311_json.h"

#include <string.h>

char *open311_json_render(json_t *doc)
{
    return json_dumps(doc, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_ENCODE_ANY);
}

json_t *open311_errors_new(void)
{
    return json_array();
}

void open311_errors_add(json_t *errors, int code, const char *description)
{
    json_array_append_new(errors, json_pack("{s:i, s:s}", "code", code, "description", description));
}

int open311_errors_status(json_t *errors)
{
    int status = 400;
    size_t i;
    json_t *error;
    json_array_foreach(errors, i, error) {
        int code = (int) json_integer_value(json_object_get(error, "code"));
        if (code > status)
            status = code;
    }
    return status;
}

json_t *open311_json_parse(const char *text)
{
    return json_loads(text, JSON_DECODE_ANY, NULL);
}

void open311_json_drop_nulls(json_t *list, const char *key)
{
    size_t i;
    json_t *item;
    json_array_foreach(list, i, item)
        if (json_is_null(json_object_get(item, key)))
            json_object_del(item, key);
}
