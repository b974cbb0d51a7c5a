#include "notify_command_codec.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "msgpack_fields.h"

#define S(key, req, limit, member) {key, MPF_STR, req, limit, offsetof(notify_command_t, member), MPF_NO_FLAG}
#define EVENT_TYPES "event_types"

static const mpf_field_t command_fields[] = {
    COMMAND_ACTOR_FIELDS(notify_command_t),
    {"id", MPF_INT, false, 0, offsetof(notify_command_t, id), offsetof(notify_command_t, has_id)},
    S("url", false, NOTIFY_TEXT_MAX, url),
    S("institution", false, NOTIFY_TEXT_MAX, institution),
    S("description", false, NOTIFY_TEXT_MAX, description),
    {"unread_only", MPF_BOOL, true, 0, offsetof(notify_command_t, unread_only), MPF_NO_FLAG},
    S("tracking_id", false, 32, tracking_id),
    S("status", false, NOTIFY_TEXT_MAX, status),
    S("channel", false, NOTIFY_TEXT_MAX, channel),
    S("delivery_id", false, NOTIFY_DELIVERY_ID_LEN, delivery_id),
    {"limit", MPF_UINT, true, 0, offsetof(notify_command_t, limit), MPF_NO_FLAG},
    {"offset", MPF_UINT, true, 0, offsetof(notify_command_t, offset), MPF_NO_FLAG},
};

static size_t event_type_count(const notify_command_t *in)
{
    size_t n = 0;
    while (n < NOTIFY_EVENT_TYPES_MAX && in->event_types[n])
        n++;
    return n;
}

int notify_command_encode(const notify_command_t *in, unsigned char **out, size_t *out_size)
{
    size_t types = event_type_count(in);
    mpf_writer_t writer;
    mpf_writer_init(&writer);
    msgpack_pack_map(&writer.packer, mpf_count(command_fields, MPF_COUNT(command_fields), in) + (types ? 1 : 0));
    mpf_write(&writer.packer, command_fields, MPF_COUNT(command_fields), in);
    if (types) {
        mpf_write_str(&writer.packer, EVENT_TYPES);
        msgpack_pack_array(&writer.packer, types);
        for (size_t i = 0; i < types; i++)
            mpf_write_str(&writer.packer, in->event_types[i]);
    }
    return mpf_writer_finish(&writer, out, out_size);
}

/* An array of at most NOTIFY_EVENT_TYPES_MAX strings; absent is an empty list. */
static int read_event_types(const msgpack_object *list, notify_command_t *out, char *reason, size_t cap)
{
    if (!list)
        return 0;
    if (list->type != MSGPACK_OBJECT_ARRAY || list->via.array.size > NOTIFY_EVENT_TYPES_MAX) {
        snprintf(reason, cap, "field '" EVENT_TYPES "': expected an array of at most %d strings",
                 NOTIFY_EVENT_TYPES_MAX);
        return -1;
    }
    for (uint32_t i = 0; i < list->via.array.size; i++) {
        char why[120];
        if (!(out->event_types[i] = mpf_strdup(&list->via.array.ptr[i], NOTIFY_TEXT_MAX, why, sizeof why))) {
            snprintf(reason, cap, "field '" EVENT_TYPES "' item %u: %s", (unsigned) i, why);
            return -1;
        }
    }
    return 0;
}

int notify_command_decode(const void *data, size_t size, notify_command_t *out, char *reason, size_t cap)
{
    static const char *const extra_keys[] = {EVENT_TYPES, NULL};
    memset(out, 0, sizeof *out);
    mpf_doc_t doc;
    if (mpf_doc_open(&doc, data, size, 2, reason, cap) != 0)
        return -1;
    int rc = mpf_read(doc.root, command_fields, MPF_COUNT(command_fields), out, extra_keys, reason, cap);
    if (rc == 0)
        rc = read_event_types(mpf_find(doc.root, EVENT_TYPES), out, reason, cap);
    mpf_doc_close(&doc);
    if (rc != 0)
        notify_command_clear(out);
    return rc;
}

void notify_command_clear(notify_command_t *self)
{
    mpf_free_strings(command_fields, MPF_COUNT(command_fields), self);
    for (size_t i = 0; i < NOTIFY_EVENT_TYPES_MAX && self->event_types[i]; i++) {
        free(self->event_types[i]);
        self->event_types[i] = NULL;
    }
}
