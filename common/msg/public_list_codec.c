#include "public_list_codec.h"

#include <stdio.h>
#include <string.h>

#include "msgpack_fields.h"
#include "report_rules.h"

#define S(key, limit, member) {key, MPF_STR, false, limit, offsetof(public_list_query_t, member), MPF_NO_FLAG}

static const mpf_field_t query_fields[] = {
    S("q", PUBLIC_LIST_TEXT_MAX, q),
    S("category", REPORT_CODE_MAX, category),
    S("region", REPORT_CODE_MAX, region),
    S("status", 32, status),
    S("from", 10, from),
    S("to", 10, to),
    S("similar", PUBLIC_LIST_TEXT_MAX, similar),
    {"lat", MPF_DOUBLE, false, 0, offsetof(public_list_query_t, lat), offsetof(public_list_query_t, has_position)},
    {"lon", MPF_DOUBLE, false, 0, offsetof(public_list_query_t, lon), offsetof(public_list_query_t, has_position)},
    {"limit", MPF_UINT, true, 0, offsetof(public_list_query_t, limit), MPF_NO_FLAG},
    {"offset", MPF_UINT, true, 0, offsetof(public_list_query_t, offset), MPF_NO_FLAG},
    {"after_at", MPF_INT, false, 0, offsetof(public_list_query_t, after_at), offsetof(public_list_query_t, has_after)},
    {"after_id", MPF_INT, false, 0, offsetof(public_list_query_t, after_id), offsetof(public_list_query_t, has_after)},
};

int public_list_query_encode(const public_list_query_t *in, unsigned char **out, size_t *out_size)
{
    return mpf_encode(query_fields, MPF_COUNT(query_fields), in, out, out_size);
}

int public_list_query_decode(const void *data, size_t size, public_list_query_t *out, char *reason, size_t cap)
{
    memset(out, 0, sizeof *out);
    if (mpf_decode(data, size, query_fields, MPF_COUNT(query_fields), out, reason, cap) != 0)
        return -1;
    uint32_t max = out->similar ? PUBLIC_LIST_SIMILAR_MAX : PUBLIC_LIST_PAGE_MAX;
    if (out->limit < 1 || out->limit > max) {
        snprintf(reason, cap, "limit is 1 to %u", max);
        public_list_query_clear(out);
        return -1;
    }
    /* A cursor continues the newest-first order; the similar reports are ranked, not paged. */
    if (out->has_after && (out->similar || out->offset)) {
        snprintf(reason, cap, "after is given without similar and offset");
        public_list_query_clear(out);
        return -1;
    }
    return 0;
}

void public_list_query_clear(public_list_query_t *self)
{
    mpf_free_strings(query_fields, MPF_COUNT(query_fields), self);
}
