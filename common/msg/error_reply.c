#include "error_reply.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "msgpack_fields.h"

static const mpf_field_t error_fields[] = {
    {"code", MPF_CHARS, true, sizeof(((error_reply_t *) 0)->code) - 1, offsetof(error_reply_t, code), MPF_NO_FLAG},
    {"detail", MPF_CHARS, true, sizeof(((error_reply_t *) 0)->detail) - 1, offsetof(error_reply_t, detail), MPF_NO_FLAG},
    {"status", MPF_CHARS, false, sizeof(((error_reply_t *) 0)->status) - 1, offsetof(error_reply_t, status), MPF_NO_FLAG},
};
static const mpf_field_t field_error_fields[] = {
    {"field", MPF_CHARS, true, sizeof(((field_error_t *) 0)->field) - 1, offsetof(field_error_t, field), MPF_NO_FLAG},
    {"code", MPF_CHARS, true, sizeof(((field_error_t *) 0)->code) - 1, offsetof(field_error_t, code), MPF_NO_FLAG},
    {"message", MPF_CHARS, true, sizeof(((field_error_t *) 0)->message) - 1, offsetof(field_error_t, message), MPF_NO_FLAG},
};
static const char *const error_extra_keys[] = {"fields", NULL};

int error_reply_encode(const error_reply_t *in, unsigned char **out, size_t *out_size)
{
    mpf_writer_t writer;
    mpf_writer_init(&writer);
    msgpack_pack_map(&writer.packer, MPF_COUNT(error_fields) + 1);
    mpf_write(&writer.packer, error_fields, MPF_COUNT(error_fields), in);
    mpf_write_str(&writer.packer, "fields");
    size_t n = in->fields.count > FIELD_ERRORS_MAX ? FIELD_ERRORS_MAX : in->fields.count;
    msgpack_pack_array(&writer.packer, n);
    for (size_t i = 0; i < n; i++) {
        msgpack_pack_map(&writer.packer, MPF_COUNT(field_error_fields));
        mpf_write(&writer.packer, field_error_fields, MPF_COUNT(field_error_fields), &in->fields.items[i]);
    }
    return mpf_writer_finish(&writer, out, out_size);
}

int error_reply_decode(const void *data, size_t size, error_reply_t *out, char *reason, size_t cap)
{
    memset(out, 0, sizeof *out);
    mpf_doc_t doc;
    if (mpf_doc_open(&doc, data, size, 3, reason, cap) != 0)
        return -1;
    int rc = mpf_read(doc.root, error_fields, MPF_COUNT(error_fields), out, error_extra_keys, reason, cap);
    if (rc == 0)
        rc = mpf_read_list(mpf_find(doc.root, "fields"), "fields", FIELD_ERRORS_MAX, field_error_fields,
                           MPF_COUNT(field_error_fields), out->fields.items, sizeof out->fields.items[0],
                           &out->fields.count, reason, cap);
    mpf_doc_close(&doc);
    return rc;
}

int error_reply_into(envelope_t *reply, const error_reply_t *error)
{
    unsigned char *body = NULL;
    size_t size = 0;
    if (error_reply_encode(error, &body, &size) != 0)
        return -1;
    envelope_set_type(reply, MSG_ERROR);
    envelope_take_body(reply, body, size);
    return 0;
}

int error_reply_refuse(error_reply_t *self, const char *code, const char *detail)
{
    memset(self, 0, sizeof *self);
    snprintf(self->code, sizeof self->code, "%s", code);
    snprintf(self->detail, sizeof self->detail, "%s", detail);
    return 1;
}

int error_reply_invalid(error_reply_t *self, const char *detail, const field_errors_t *errors)
{
    error_reply_refuse(self, ERROR_INVALID, detail);
    self->fields = *errors;
    return 1;
}

int error_reply_simple(envelope_t *reply, const char *code, const char *detail)
{
    error_reply_t error;
    error_reply_refuse(&error, code, detail);
    return error_reply_into(reply, &error);
}
