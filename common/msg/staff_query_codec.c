#include "staff_query_codec.h"

#include <string.h>

#include "msgpack_fields.h"
#include "report_rules.h"

#define S(type, key, req, limit, member) {key, MPF_STR, req, limit, offsetof(type, member), MPF_NO_FLAG}

static const mpf_field_t query_fields[] = {
    S(staff_query_t, "view", true, 16, view),
    S(staff_query_t, "actor_role", true, 32, actor_role),
    S(staff_query_t, "actor_id", true, 64, actor_id),
    S(staff_query_t, "actor_institution", true, REPORT_CODE_MAX, actor_institution),
    S(staff_query_t, "tracking_id", false, 32, tracking_id),
    S(staff_query_t, "status", false, 32, status),
    S(staff_query_t, "institution", false, REPORT_CODE_MAX, institution),
    S(staff_query_t, "category", false, REPORT_CODE_MAX, category),
    S(staff_query_t, "region", false, REPORT_CODE_MAX, region),
    S(staff_query_t, "text", false, 200, text),
    S(staff_query_t, "overdue", false, 8, overdue),
    S(staff_query_t, "duplicates", false, 8, duplicates),
    S(staff_query_t, "older_than_days", false, 8, older_than_days),
    S(staff_query_t, "sort", false, 16, sort),
    S(staff_query_t, "mine", false, 8, mine),
    S(staff_query_t, "after", false, STAFF_CURSOR_MAX, after),
    {"limit", MPF_UINT, true, 0, offsetof(staff_query_t, limit), MPF_NO_FLAG},
    {"offset", MPF_UINT, true, 0, offsetof(staff_query_t, offset), MPF_NO_FLAG},
};

static const mpf_field_t document_fields[] = {
    S(staff_document_t, "json", true, STAFF_DOCUMENT_MAX, json),
};

int staff_query_encode(const staff_query_t *in, unsigned char **out, size_t *out_size)
{
    return mpf_encode(query_fields, MPF_COUNT(query_fields), in, out, out_size);
}

int staff_query_decode(const void *data, size_t size, staff_query_t *out, char *reason, size_t cap)
{
    memset(out, 0, sizeof *out);
    return mpf_decode(data, size, query_fields, MPF_COUNT(query_fields), out, reason, cap);
}

void staff_query_clear(staff_query_t *self)
{
    mpf_free_strings(query_fields, MPF_COUNT(query_fields), self);
}

int staff_document_encode(const staff_document_t *in, unsigned char **out, size_t *out_size)
{
    return mpf_encode(document_fields, MPF_COUNT(document_fields), in, out, out_size);
}

int staff_document_decode(const void *data, size_t size, staff_document_t *out, char *reason, size_t cap)
{
    memset(out, 0, sizeof *out);
    return mpf_decode(data, size, document_fields, MPF_COUNT(document_fields), out, reason, cap);
}

void staff_document_clear(staff_document_t *self)
{
    mpf_free_strings(document_fields, MPF_COUNT(document_fields), self);
}

int staff_document_into(envelope_t *reply, char *json)
{
    staff_document_t document = {json};
    unsigned char *body = NULL;
    size_t size = 0;
    if (staff_document_encode(&document, &body, &size) != 0)
        return -1;
    envelope_set_type(reply, MSG_STAFF_DOCUMENT);
    envelope_take_body(reply, body, size);
    return 0;
}
