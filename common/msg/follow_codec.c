#include "follow_codec.h"

#include <string.h>

#include "msgpack_fields.h"

static const mpf_field_t request_fields[] = {
    {"tracking_id", MPF_STR, false, 32, offsetof(follow_request_t, tracking_id), MPF_NO_FLAG},
    {"email", MPF_STR, false, FOLLOW_EMAIL_MAX, offsetof(follow_request_t, email), MPF_NO_FLAG},
    {"language", MPF_STR, false, 2, offsetof(follow_request_t, language), MPF_NO_FLAG},
    {"token", MPF_STR, false, FOLLOW_TOKEN_MAX, offsetof(follow_request_t, token), MPF_NO_FLAG},
};

static const mpf_field_t state_fields[] = {
    {"tracking_id", MPF_STR, true, 32, offsetof(follow_state_t, tracking_id), MPF_NO_FLAG},
    {"state", MPF_STR, true, 16, offsetof(follow_state_t, state), MPF_NO_FLAG},
};

int follow_email_normalize(const char *in, char out[FOLLOW_EMAIL_MAX + 1])
{
    size_t n = strlen(in), at = n;
    if (n == 0 || n > FOLLOW_EMAIL_MAX)
        return -1;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char) in[i];
        if (c <= ' ' || c == 0x7f || (c == '@' && at != n))
            return -1;
        if (c == '@')
            at = i;
        out[i] = (char) (c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
    }
    out[n] = '\0';
    return at == 0 || at >= n - 1 ? -1 : 0;
}

int follow_request_encode(const follow_request_t *in, unsigned char **out, size_t *out_size)
{
    return mpf_encode(request_fields, MPF_COUNT(request_fields), in, out, out_size);
}

int follow_request_decode(const void *data, size_t size, follow_request_t *out, char *reason, size_t cap)
{
    memset(out, 0, sizeof *out);
    return mpf_decode(data, size, request_fields, MPF_COUNT(request_fields), out, reason, cap);
}

void follow_request_clear(follow_request_t *self)
{
    mpf_free_strings(request_fields, MPF_COUNT(request_fields), self);
}

int follow_state_encode(const follow_state_t *in, unsigned char **out, size_t *out_size)
{
    return mpf_encode(state_fields, MPF_COUNT(state_fields), in, out, out_size);
}

int follow_state_decode(const void *data, size_t size, follow_state_t *out, char *reason, size_t cap)
{
    memset(out, 0, sizeof *out);
    return mpf_decode(data, size, state_fields, MPF_COUNT(state_fields), out, reason, cap);
}

void follow_state_clear(follow_state_t *self)
{
    mpf_free_strings(state_fields, MPF_COUNT(state_fields), self);
}
