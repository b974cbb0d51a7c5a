#include "attachment_codec.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "msgpack_fields.h"

#define S(key, limit, member) {key, MPF_STR, false, limit, offsetof(attachment_t, member), MPF_NO_FLAG}
#define I(key, member) {key, MPF_INT, true, 0, offsetof(attachment_t, member), MPF_NO_FLAG}

static const mpf_field_t fields[] = {
    S("tracking_id", 64, tracking_id),
    S("reporter_token", 128, reporter_token),
    S("actor_role", 32, actor_role),
    S("actor_institution", 64, actor_institution),
    I("number", number),
    {"thumbnail", MPF_BOOL, true, 0, offsetof(attachment_t, thumbnail), MPF_NO_FLAG},
    S("media_type", 100, media_type),
    I("width", width),
    I("height", height),
};
static const char *const extra_keys[] = {"data", NULL};

int attachment_encode(const attachment_t *in, unsigned char **out, size_t *out_size)
{
    if (in->size > ATTACHMENT_DATA_MAX)
        return -1;
    mpf_writer_t writer;
    mpf_writer_init(&writer);
    msgpack_pack_map(&writer.packer, mpf_count(fields, MPF_COUNT(fields), in) + (in->data ? 1 : 0));
    mpf_write(&writer.packer, fields, MPF_COUNT(fields), in);
    if (in->data) {
        mpf_write_str(&writer.packer, "data");
        msgpack_pack_bin(&writer.packer, in->size);
        msgpack_pack_bin_body(&writer.packer, in->data, in->size);
    }
    return mpf_writer_finish(&writer, out, out_size);
}

/* The bytes of "data", when present: a bin of at most ATTACHMENT_DATA_MAX. */
static int read_data(const msgpack_object *root, attachment_t *out, char *reason, size_t cap)
{
    const msgpack_object *data = mpf_find(root, "data");
    if (!data)
        return 0;
    if (data->type != MSGPACK_OBJECT_BIN || data->via.bin.size > ATTACHMENT_DATA_MAX) {
        snprintf(reason, cap, "field 'data' must be bytes, at most %d", ATTACHMENT_DATA_MAX);
        return -1;
    }
    out->data = malloc(data->via.bin.size ? data->via.bin.size : 1);
    if (!out->data) {
        snprintf(reason, cap, "out of memory");
        return -1;
    }
    memcpy(out->data, data->via.bin.ptr, data->via.bin.size);
    out->size = data->via.bin.size;
    return 0;
}

int attachment_decode(const void *data, size_t size, attachment_t *out, char *reason, size_t cap)
{
    memset(out, 0, sizeof *out);
    mpf_doc_t doc;
    if (mpf_doc_open(&doc, data, size, 1, reason, cap) != 0)
        return -1;
    int rc = mpf_read(doc.root, fields, MPF_COUNT(fields), out, extra_keys, reason, cap);
    if (rc == 0)
        rc = read_data(doc.root, out, reason, cap);
    mpf_doc_close(&doc);
    if (rc != 0)
        attachment_clear(out);
    return rc;
}

void attachment_clear(attachment_t *self)
{
    mpf_free_strings(fields, MPF_COUNT(fields), self);
    free(self->data);
    memset(self, 0, sizeof *self);
}
