#include "desk_filter_codec.h"

#include <string.h>

#include "msgpack_fields.h"

static const mpf_field_t command_fields[] = {
    {"staff_id", MPF_INT, true, 0, offsetof(desk_filter_command_t, staff_id), MPF_NO_FLAG},
    {"id", MPF_INT, false, 0, offsetof(desk_filter_command_t, id), offsetof(desk_filter_command_t, has_id)},
    {"name", MPF_STR, false, DESK_FILTER_NAME_MAX, offsetof(desk_filter_command_t, name), MPF_NO_FLAG},
    {"filters", MPF_STR, false, DESK_FILTER_JSON_MAX, offsetof(desk_filter_command_t, filters), MPF_NO_FLAG},
};

int desk_filter_command_encode(const desk_filter_command_t *in, unsigned char **out, size_t *out_size)
{
    return mpf_encode(command_fields, MPF_COUNT(command_fields), in, out, out_size);
}

int desk_filter_command_decode(const void *data, size_t size, desk_filter_command_t *out, char *reason, size_t cap)
{
    memset(out, 0, sizeof *out);
    return mpf_decode(data, size, command_fields, MPF_COUNT(command_fields), out, reason, cap);
}

void desk_filter_command_clear(desk_filter_command_t *self)
{
    mpf_free_strings(command_fields, MPF_COUNT(command_fields), self);
}
