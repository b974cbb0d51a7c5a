#include "envelope.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "msgpack_fields.h"

static const mpf_field_t envelope_fields[] = {
    {"t", MPF_CHARS, true, ENVELOPE_TYPE_MAX, offsetof(envelope_t, type), MPF_NO_FLAG},
    {"v", MPF_UINT, true, 0, offsetof(envelope_t, version), MPF_NO_FLAG},
    {"id", MPF_CHARS, true, ENVELOPE_ID_MAX, offsetof(envelope_t, id), MPF_NO_FLAG},
    {"trace", MPF_CHARS, true, ENVELOPE_ID_MAX, offsetof(envelope_t, trace), MPF_NO_FLAG},
    {"at", MPF_INT, true, 0, offsetof(envelope_t, sent_at_ms), MPF_NO_FLAG},
};
#define ENVELOPE_FIELD_COUNT (sizeof envelope_fields / sizeof envelope_fields[0])
static const char *const envelope_extra_keys[] = {"body", NULL};

void envelope_random_id(char out[ENVELOPE_ID_MAX + 1])
{
    unsigned char bytes[16];
    if (sodium_init() < 0)
        abort();  /* no CSPRNG: nothing this process does could be trusted */
    randombytes_buf(bytes, sizeof bytes);
    sodium_bin2hex(out, 33, bytes, sizeof bytes);
}

int64_t envelope_now_ms(void)
{
    struct timespec now;
    clock_gettime(CLOCK_REALTIME, &now);
    return (int64_t) now.tv_sec * 1000 + now.tv_nsec / 1000000;
}

envelope_t *envelope_new(const char *type, uint32_t version, const char *id, const char *trace)
{
    envelope_t *self = calloc(1, sizeof *self);
    if (!self)
        return NULL;
    snprintf(self->type, sizeof self->type, "%s", type ? type : "");
    self->version = version;
    if (id && *id)
        snprintf(self->id, sizeof self->id, "%s", id);
    else
        envelope_random_id(self->id);
    snprintf(self->trace, sizeof self->trace, "%s", trace && *trace ? trace : self->id);
    self->sent_at_ms = envelope_now_ms();
    return self;
}

envelope_t *envelope_new_reply(const envelope_t *request, const char *type)
{
    return envelope_new(type, request->version, request->id, request->trace);
}

void envelope_destroy(envelope_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    free((*self_p)->body);
    free(*self_p);
    *self_p = NULL;
}

int envelope_set_type(envelope_t *self, const char *type)
{
    if (strlen(type) > ENVELOPE_TYPE_MAX)
        return -1;
    snprintf(self->type, sizeof self->type, "%s", type);
    return 0;
}

void envelope_take_body(envelope_t *self, unsigned char *body, size_t size)
{
    free(self->body);
    self->body = body;
    self->body_size = body ? size : 0;
}

int envelope_encode(const envelope_t *self, unsigned char **out, size_t *out_size)
{
    mpf_writer_t writer;
    mpf_writer_init(&writer);
    msgpack_pack_map(&writer.packer, ENVELOPE_FIELD_COUNT + 1);
    mpf_write(&writer.packer, envelope_fields, ENVELOPE_FIELD_COUNT, self);
    mpf_write_str(&writer.packer, "body");
    msgpack_pack_bin(&writer.packer, self->body_size);
    msgpack_pack_bin_body(&writer.packer, self->body, self->body_size);
    if (writer.buffer.size > ENVELOPE_MAX_BYTES) {
        mpf_writer_discard(&writer);
        return -1;
    }
    return mpf_writer_finish(&writer, out, out_size);
}

static int take_body(envelope_t *self, const msgpack_object *body, char *reason, size_t cap)
{
    if (!body || body->type != MSGPACK_OBJECT_BIN) {
        snprintf(reason, cap, "field 'body': %s", body ? "expected bin" : "is required");
        return -1;
    }
    if (body->via.bin.size == 0)
        return 0;
    self->body = malloc(body->via.bin.size);
    if (!self->body) {
        snprintf(reason, cap, "out of memory");
        return -1;
    }
    memcpy(self->body, body->via.bin.ptr, body->via.bin.size);
    self->body_size = body->via.bin.size;
    return 0;
}

envelope_t *envelope_decode(const void *data, size_t size, char *reason, size_t cap)
{
    if (size > ENVELOPE_MAX_BYTES) {
        snprintf(reason, cap, "message of %zu bytes exceeds %d", size, ENVELOPE_MAX_BYTES);
        return NULL;
    }
    mpf_doc_t doc;
    if (mpf_doc_open(&doc, data, size, 1, reason, cap) != 0)
        return NULL;
    envelope_t *self = calloc(1, sizeof *self);
    int rc = self ? mpf_read(doc.root, envelope_fields, ENVELOPE_FIELD_COUNT, self,
                             envelope_extra_keys, reason, cap) : -1;
    if (rc == 0)
        rc = take_body(self, mpf_find(doc.root, "body"), reason, cap);
    if (rc == 0 && self->type[0] == '\0') {
        snprintf(reason, cap, "field 't': empty");
        rc = -1;
    }
    mpf_doc_close(&doc);
    if (rc != 0)
        envelope_destroy(&self);
    return self;
}
