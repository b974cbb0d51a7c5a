#include "reference_codec.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "msgpack_fields.h"

#define S(type, key, req, limit, member) {key, MPF_STR, req, limit, offsetof(type, member), MPF_NO_FLAG}

static const mpf_field_t query_fields[] = {
    S(reference_query_t, "table", true, 32, table),
};

static const mpf_field_t entry_fields[] = {
    S(reference_entry_t, "code", true, 64, code),
    S(reference_entry_t, "name", true, 1200, name),
    S(reference_entry_t, "parent_code", false, 64, parent_code),
    S(reference_entry_t, "kind", true, 32, kind),
    S(reference_entry_t, "region_code", false, 64, region_code),
};

int reference_query_encode(const reference_query_t *in, unsigned char **out, size_t *out_size)
{
    return mpf_encode(query_fields, MPF_COUNT(query_fields), in, out, out_size);
}

int reference_query_decode(const void *data, size_t size, reference_query_t *out, char *reason, size_t cap)
{
    memset(out, 0, sizeof *out);
    return mpf_decode(data, size, query_fields, MPF_COUNT(query_fields), out, reason, cap);
}

void reference_query_clear(reference_query_t *self)
{
    mpf_free_strings(query_fields, MPF_COUNT(query_fields), self);
}

int reference_list_encode(const reference_list_t *in, unsigned char **out, size_t *out_size)
{
    mpf_writer_t writer;
    mpf_writer_init(&writer);
    msgpack_pack_map(&writer.packer, 1);
    mpf_write_str(&writer.packer, "items");
    msgpack_pack_array(&writer.packer, in->count);
    for (size_t i = 0; i < in->count; i++) {
        msgpack_pack_map(&writer.packer, mpf_count(entry_fields, MPF_COUNT(entry_fields), &in->items[i]));
        mpf_write(&writer.packer, entry_fields, MPF_COUNT(entry_fields), &in->items[i]);
    }
    return mpf_writer_finish(&writer, out, out_size);
}

int reference_list_decode(const void *data, size_t size, reference_list_t *out, char *reason, size_t cap)
{
    static const char *const extra_keys[] = {"items", NULL};
    memset(out, 0, sizeof *out);
    mpf_doc_t doc;
    if (mpf_doc_open(&doc, data, size, 3, reason, cap) != 0)
        return -1;
    int rc = mpf_read(doc.root, NULL, 0, out, extra_keys, reason, cap);
    if (rc == 0)
        rc = mpf_read_list_alloc(mpf_find(doc.root, "items"), "items", REFERENCE_LIST_MAX, entry_fields,
                                 MPF_COUNT(entry_fields), (void **) &out->items, sizeof *out->items, &out->count,
                                 reason, cap);
    mpf_doc_close(&doc);
    if (rc != 0)
        reference_list_clear(out);
    return rc;
}

void reference_list_clear(reference_list_t *self)
{
    for (size_t i = 0; i < self->count; i++)
        mpf_free_strings(entry_fields, MPF_COUNT(entry_fields), &self->items[i]);
    free(self->items);
    memset(self, 0, sizeof *self);
}
