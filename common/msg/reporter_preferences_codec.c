#include "reporter_preferences_codec.h"

#include <string.h>

#include "msgpack_fields.h"

#define S(type, key, req, limit, member) {key, MPF_STR, req, limit, offsetof(type, member), MPF_NO_FLAG}

static const mpf_field_t request_fields[] = {
    S(reporter_preferences_t, "tracking_id", true, 32, tracking_id),
    S(reporter_preferences_t, "reporter_token", true, REPORTER_TOKEN_MAX, reporter_token),
    {"enabled", MPF_BOOL, false, 0, offsetof(reporter_preferences_t, enabled),
     offsetof(reporter_preferences_t, has_enabled)},
    S(reporter_preferences_t, "language", false, 2, language),
};

static const mpf_field_t set_fields[] = {
    S(reporter_preferences_set_t, "tracking_id", true, 32, tracking_id),
    {"enabled", MPF_BOOL, true, 0, offsetof(reporter_preferences_set_t, enabled), MPF_NO_FLAG},
    S(reporter_preferences_set_t, "language", true, 2, language),
};

int reporter_preferences_encode(const reporter_preferences_t *in, unsigned char **out, size_t *out_size)
{
    return mpf_encode(request_fields, MPF_COUNT(request_fields), in, out, out_size);
}

int reporter_preferences_decode(const void *data, size_t size, reporter_preferences_t *out, char *reason, size_t cap)
{
    memset(out, 0, sizeof *out);
    return mpf_decode(data, size, request_fields, MPF_COUNT(request_fields), out, reason, cap);
}

void reporter_preferences_clear(reporter_preferences_t *self)
{
    mpf_free_strings(request_fields, MPF_COUNT(request_fields), self);
}

int reporter_preferences_set_encode(const reporter_preferences_set_t *in, unsigned char **out, size_t *out_size)
{
    return mpf_encode(set_fields, MPF_COUNT(set_fields), in, out, out_size);
}

int reporter_preferences_set_decode(const void *data, size_t size, reporter_preferences_set_t *out, char *reason,
                                    size_t cap)
{
    memset(out, 0, sizeof *out);
    return mpf_decode(data, size, set_fields, MPF_COUNT(set_fields), out, reason, cap);
}

void reporter_preferences_set_clear(reporter_preferences_set_t *self)
{
    mpf_free_strings(set_fields, MPF_COUNT(set_fields), self);
}
