#include "support_codec.h"

#include <stdio.h>
#include <string.h>

#include "msgpack_fields.h"

static const mpf_field_t request_fields[] = {
    {"tracking_id", MPF_STR, true, 32, offsetof(support_request_t, tracking_id), MPF_NO_FLAG},
    {"supporter", MPF_STR, false, SUPPORTER_MAX, offsetof(support_request_t, supporter), MPF_NO_FLAG},
};

static const mpf_field_t count_fields[] = {
    {"supports", MPF_UINT, true, 0, offsetof(support_count_t, supports), MPF_NO_FLAG},
    {"counted", MPF_BOOL, true, 0, offsetof(support_count_t, counted), MPF_NO_FLAG},
};

int support_request_encode(const support_request_t *in, unsigned char **out, size_t *out_size)
{
    return mpf_encode(request_fields, MPF_COUNT(request_fields), in, out, out_size);
}

int support_request_decode(const void *data, size_t size, support_request_t *out, char *reason, size_t cap)
{
    memset(out, 0, sizeof *out);
    if (mpf_decode(data, size, request_fields, MPF_COUNT(request_fields), out, reason, cap) != 0)
        return -1;
    if (out->supporter && strlen(out->supporter) < SUPPORTER_MIN) {
        snprintf(reason, cap, "supporter is %d to %d characters", SUPPORTER_MIN, SUPPORTER_MAX);
        support_request_clear(out);
        return -1;
    }
    return 0;
}

void support_request_clear(support_request_t *self)
{
    mpf_free_strings(request_fields, MPF_COUNT(request_fields), self);
}

int support_count_encode(const support_count_t *in, unsigned char **out, size_t *out_size)
{
    return mpf_encode(count_fields, MPF_COUNT(count_fields), in, out, out_size);
}

int support_count_decode(const void *data, size_t size, support_count_t *out, char *reason, size_t cap)
{
    memset(out, 0, sizeof *out);
    return mpf_decode(data, size, count_fields, MPF_COUNT(count_fields), out, reason, cap);
}
