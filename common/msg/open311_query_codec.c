#include "open311_query_codec.h"

#include <stdio.h>
#include <string.h>

#include "msgpack_fields.h"
#include "report_rules.h"

#define S(key, req, limit, member) {key, MPF_STR, req, limit, offsetof(open311_query_t, member), MPF_NO_FLAG}
#define POSITION(key, member) \
    {key, MPF_DOUBLE, false, 0, offsetof(open311_query_t, member), offsetof(open311_query_t, has_position)}

static const mpf_field_t query_fields[] = {
    S("kind", true, 16, kind),
    S("service_code", false, REPORT_CODE_MAX, service_code),
    S("token", false, 128, token),
    S("request_id", false, 64, request_id),
    S("ids", false, OPEN311_LIST_TEXT_MAX, ids),
    S("service_codes", false, OPEN311_LIST_TEXT_MAX, service_codes),
    S("statuses", false, 64, statuses),
    S("start", false, 40, start),
    S("end", false, 40, end),
    POSITION("lat", lat),
    POSITION("lon", lon),
    POSITION("radius", radius),
    {"extensions", MPF_BOOL, true, 0, offsetof(open311_query_t, extensions), MPF_NO_FLAG},
    {"limit", MPF_UINT, true, 0, offsetof(open311_query_t, limit), MPF_NO_FLAG},
    {"offset", MPF_UINT, true, 0, offsetof(open311_query_t, offset), MPF_NO_FLAG},
};

int open311_query_encode(const open311_query_t *in, unsigned char **out, size_t *out_size)
{
    return mpf_encode(query_fields, MPF_COUNT(query_fields), in, out, out_size);
}

int open311_query_decode(const void *data, size_t size, open311_query_t *out, char *reason, size_t cap)
{
    memset(out, 0, sizeof *out);
    if (mpf_decode(data, size, query_fields, MPF_COUNT(query_fields), out, reason, cap) != 0)
        return -1;
    if (out->limit > OPEN311_PAGE_MAX) {
        snprintf(reason, cap, "limit is at most %d", OPEN311_PAGE_MAX);
        open311_query_clear(out);
        return -1;
    }
    return 0;
}

void open311_query_clear(open311_query_t *self)
{
    mpf_free_strings(query_fields, MPF_COUNT(query_fields), self);
}
