#include "reporter_sign_in_codec.h"

#include <string.h>

#include "msgpack_fields.h"

#define S(type, key, req, limit, member) {key, MPF_STR, req, limit, offsetof(type, member), MPF_NO_FLAG}

static const mpf_field_t request_fields[] = {
    S(reporter_sign_in_t, "contact", false, REPORTER_CONTACT_MAX, contact),
    S(reporter_sign_in_t, "code", false, REPORTER_SIGN_IN_CODE_MAX, code),
    S(reporter_sign_in_t, "session", false, REPORTER_SESSION_MAX, session),
    S(reporter_sign_in_t, "tracking_id", false, 32, tracking_id),
};

static const mpf_field_t issued_fields[] = {
    {"deliver", MPF_BOOL, true, 0, offsetof(reporter_code_issued_t, deliver), MPF_NO_FLAG},
    S(reporter_code_issued_t, "channel", false, 8, channel),
    S(reporter_code_issued_t, "address", false, REPORTER_CONTACT_MAX, address),
    S(reporter_code_issued_t, "code", false, REPORTER_SIGN_IN_CODE_MAX, code),
    S(reporter_code_issued_t, "language", false, 2, language),
};

int reporter_sign_in_encode(const reporter_sign_in_t *in, unsigned char **out, size_t *out_size)
{
    return mpf_encode(request_fields, MPF_COUNT(request_fields), in, out, out_size);
}

int reporter_sign_in_decode(const void *data, size_t size, reporter_sign_in_t *out, char *reason, size_t cap)
{
    memset(out, 0, sizeof *out);
    return mpf_decode(data, size, request_fields, MPF_COUNT(request_fields), out, reason, cap);
}

void reporter_sign_in_clear(reporter_sign_in_t *self)
{
    mpf_free_strings(request_fields, MPF_COUNT(request_fields), self);
}

int reporter_code_issued_encode(const reporter_code_issued_t *in, unsigned char **out, size_t *out_size)
{
    return mpf_encode(issued_fields, MPF_COUNT(issued_fields), in, out, out_size);
}

int reporter_code_issued_decode(const void *data, size_t size, reporter_code_issued_t *out, char *reason, size_t cap)
{
    memset(out, 0, sizeof *out);
    return mpf_decode(data, size, issued_fields, MPF_COUNT(issued_fields), out, reason, cap);
}

void reporter_code_issued_clear(reporter_code_issued_t *self)
{
    if (self->code)
        memset(self->code, 0, strlen(self->code));
    mpf_free_strings(issued_fields, MPF_COUNT(issued_fields), self);
}
