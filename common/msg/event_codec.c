#include "event_codec.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "msgpack_fields.h"

#define S(key, req, limit, member) {key, MPF_STR, req, limit, offsetof(event_t, member), MPF_NO_FLAG}
#define EVENT_MAX_DEPTH 10  /* batch → events → event → payload (up to 6 levels of its own) */

static const mpf_field_t event_fields[] = {
    {"seq", MPF_INT, true, 0, offsetof(event_t, seq), MPF_NO_FLAG},
    {"prev", MPF_INT, true, 0, offsetof(event_t, prev), MPF_NO_FLAG},
    S("id", true, 64, id),
    S("type", true, 64, type),
    {"v", MPF_UINT, true, 0, offsetof(event_t, version), MPF_NO_FLAG},
    {"at", MPF_INT, true, 0, offsetof(event_t, occurred_at_ms), MPF_NO_FLAG},
    S("report", false, 32, tracking_id),
    S("institution", false, 64, institution),
    S("actor_role", true, 64, actor_role),
    S("actor_id", false, 128, actor_id),
};
static const char *const event_extra_keys[] = {"payload", NULL};

/* Writes one event map; the payload bytes are already a msgpack map and are copied as they are. */
static void write_event(mpf_writer_t *w, const event_t *e)
{
    msgpack_pack_map(&w->packer, mpf_count(event_fields, MPF_COUNT(event_fields), e) + 1);
    mpf_write(&w->packer, event_fields, MPF_COUNT(event_fields), e);
    mpf_write_str(&w->packer, "payload");
    if (e->payload && e->payload_size)
        msgpack_sbuffer_write(&w->buffer, (const char *) e->payload, e->payload_size);
    else
        msgpack_pack_map(&w->packer, 0);
}

int event_encode(const event_t *in, unsigned char **out, size_t *out_size)
{
    mpf_writer_t w;
    mpf_writer_init(&w);
    write_event(&w, in);
    return mpf_writer_finish(&w, out, out_size);
}

static int copy_payload(const msgpack_object *payload, event_t *out, char *reason, size_t cap)
{
    if (!payload || payload->type != MSGPACK_OBJECT_MAP) {
        snprintf(reason, cap, "field 'payload': expected a map");
        return -1;
    }
    mpf_writer_t w;
    mpf_writer_init(&w);
    msgpack_pack_object(&w.packer, *payload);
    if (w.buffer.size > EVENT_PAYLOAD_MAX || mpf_writer_finish(&w, &out->payload, &out->payload_size) != 0) {
        mpf_writer_discard(&w);
        snprintf(reason, cap, "field 'payload': larger than %d bytes", EVENT_PAYLOAD_MAX);
        return -1;
    }
    return 0;
}

static int read_event(const msgpack_object *map, event_t *out, char *reason, size_t cap)
{
    memset(out, 0, sizeof *out);
    if (mpf_read(map, event_fields, MPF_COUNT(event_fields), out, event_extra_keys, reason, cap) != 0)
        return -1;
    if (copy_payload(mpf_find(map, "payload"), out, reason, cap) != 0) {
        event_clear(out);
        return -1;
    }
    return 0;
}

int event_decode(const void *data, size_t size, event_t *out, char *reason, size_t cap)
{
    mpf_doc_t doc;
    memset(out, 0, sizeof *out);
    if (mpf_doc_open(&doc, data, size, EVENT_MAX_DEPTH - 2, reason, cap) != 0)
        return -1;
    int rc = read_event(doc.root, out, reason, cap);
    mpf_doc_close(&doc);
    return rc;
}

void event_clear(event_t *self)
{
    mpf_free_strings(event_fields, MPF_COUNT(event_fields), self);
    free(self->payload);
    memset(self, 0, sizeof *self);
}

typedef struct {
    int64_t head;
    int64_t at;
} heartbeat_t;

static const mpf_field_t heartbeat_fields[] = {
    {"head", MPF_INT, true, 0, offsetof(heartbeat_t, head), MPF_NO_FLAG},
    {"at", MPF_INT, true, 0, offsetof(heartbeat_t, at), MPF_NO_FLAG},
};

int event_heartbeat_encode(int64_t head, int64_t at_ms, unsigned char **out, size_t *out_size)
{
    heartbeat_t h = {head, at_ms};
    return mpf_encode(heartbeat_fields, MPF_COUNT(heartbeat_fields), &h, out, out_size);
}

int event_heartbeat_decode(const void *data, size_t size, int64_t *head, int64_t *at_ms, char *reason, size_t cap)
{
    heartbeat_t h = {0, 0};
    if (mpf_decode(data, size, heartbeat_fields, MPF_COUNT(heartbeat_fields), &h, reason, cap) != 0)
        return -1;
    *head = h.head;
    *at_ms = h.at;
    return 0;
}

static const mpf_field_t replay_fields[] = {
    {"from", MPF_INT, true, 0, offsetof(event_replay_request_t, from), MPF_NO_FLAG},
    {"prefix", MPF_STR, true, 64, offsetof(event_replay_request_t, prefix), MPF_NO_FLAG},
    {"max", MPF_UINT, true, 0, offsetof(event_replay_request_t, max), MPF_NO_FLAG},
};

int event_replay_request_encode(const event_replay_request_t *in, unsigned char **out, size_t *out_size)
{
    return mpf_encode(replay_fields, MPF_COUNT(replay_fields), in, out, out_size);
}

int event_replay_request_decode(const void *data, size_t size, event_replay_request_t *out, char *reason, size_t cap)
{
    memset(out, 0, sizeof *out);
    if (mpf_decode(data, size, replay_fields, MPF_COUNT(replay_fields), out, reason, cap) != 0)
        return -1;
    if (out->max > EVENT_REPLAY_MAX)
        out->max = EVENT_REPLAY_MAX;
    if (out->from < 1)
        out->from = 1;
    return 0;
}

void event_replay_request_clear(event_replay_request_t *self)
{
    mpf_free_strings(replay_fields, MPF_COUNT(replay_fields), self);
}

int event_batch_encode(const event_batch_t *in, unsigned char **out, size_t *out_size)
{
    mpf_writer_t w;
    mpf_writer_init(&w);
    msgpack_pack_map(&w.packer, 2);
    mpf_write_str(&w.packer, "events");
    msgpack_pack_array(&w.packer, in->count);
    for (size_t i = 0; i < in->count; i++)
        write_event(&w, &in->items[i]);
    mpf_write_str(&w.packer, "head");
    msgpack_pack_int64(&w.packer, in->head);
    return mpf_writer_finish(&w, out, out_size);
}

static const mpf_field_t batch_fields[] = {
    {"head", MPF_INT, true, 0, offsetof(event_batch_t, head), MPF_NO_FLAG},
};
static const char *const batch_extra_keys[] = {"events", NULL};

static int read_batch(const msgpack_object *root, event_batch_t *out, char *reason, size_t cap)
{
    if (mpf_read(root, batch_fields, MPF_COUNT(batch_fields), out, batch_extra_keys, reason, cap) != 0)
        return -1;
    const msgpack_object *list = mpf_find(root, "events");
    if (!list || list->type != MSGPACK_OBJECT_ARRAY || list->via.array.size > EVENT_REPLAY_MAX) {
        snprintf(reason, cap, "field 'events': expected an array of at most %d", EVENT_REPLAY_MAX);
        return -1;
    }
    if (list->via.array.size && !(out->items = calloc(list->via.array.size, sizeof *out->items))) {
        snprintf(reason, cap, "out of memory");
        return -1;
    }
    for (uint32_t i = 0; i < list->via.array.size; i++) {
        if (read_event(&list->via.array.ptr[i], &out->items[i], reason, cap) != 0)
            return -1;
        out->count++;
    }
    return 0;
}

int event_batch_decode(const void *data, size_t size, event_batch_t *out, char *reason, size_t cap)
{
    memset(out, 0, sizeof *out);
    mpf_doc_t doc;
    if (mpf_doc_open(&doc, data, size, EVENT_MAX_DEPTH, reason, cap) != 0)
        return -1;
    int rc = read_batch(doc.root, out, reason, cap);
    mpf_doc_close(&doc);
    if (rc != 0)
        event_batch_clear(out);
    return rc;
}

static char *dup_or_null(const char *text)
{
    return text ? strdup(text) : NULL;
}

int event_batch_push(event_batch_t *self, const event_t *e)
{
    event_t *grown = realloc(self->items, (self->count + 1) * sizeof *grown);
    if (!grown)
        return -1;
    self->items = grown;
    event_t *copy = &self->items[self->count];
    *copy = *e;
    copy->id = dup_or_null(e->id);
    copy->type = dup_or_null(e->type);
    copy->tracking_id = dup_or_null(e->tracking_id);
    copy->institution = dup_or_null(e->institution);
    copy->actor_role = dup_or_null(e->actor_role);
    copy->actor_id = dup_or_null(e->actor_id);
    copy->payload = e->payload_size ? malloc(e->payload_size) : NULL;
    if (copy->payload)
        memcpy(copy->payload, e->payload, e->payload_size);
    self->count++;
    return 0;
}

void event_batch_clear(event_batch_t *self)
{
    for (size_t i = 0; i < self->count; i++)
        event_clear(&self->items[i]);
    free(self->items);
    memset(self, 0, sizeof *self);
}

static json_t *object_to_json(const msgpack_object *o)
{
    switch (o->type) {
    case MSGPACK_OBJECT_NIL: return json_null();
    case MSGPACK_OBJECT_BOOLEAN: return json_boolean(o->via.boolean);
    case MSGPACK_OBJECT_POSITIVE_INTEGER: return json_integer((json_int_t) o->via.u64);
    case MSGPACK_OBJECT_NEGATIVE_INTEGER: return json_integer(o->via.i64);
    case MSGPACK_OBJECT_FLOAT32:
    case MSGPACK_OBJECT_FLOAT64: return json_real(o->via.f64);
    case MSGPACK_OBJECT_STR: return json_stringn(o->via.str.ptr, o->via.str.size);
    case MSGPACK_OBJECT_BIN: {
        size_t n = sodium_base64_encoded_len(o->via.bin.size, sodium_base64_VARIANT_ORIGINAL);
        char *text = malloc(n);
        json_t *s = text ? json_string(sodium_bin2base64(text, n, (const unsigned char *) o->via.bin.ptr,
                                                          o->via.bin.size, sodium_base64_VARIANT_ORIGINAL)) : NULL;
        free(text);
        return s;
    }
    case MSGPACK_OBJECT_ARRAY: {
        json_t *a = json_array();
        for (uint32_t i = 0; i < o->via.array.size; i++)
            json_array_append_new(a, object_to_json(&o->via.array.ptr[i]));
        return a;
    }
    case MSGPACK_OBJECT_MAP: {
        json_t *m = json_object();
        for (uint32_t i = 0; i < o->via.map.size; i++) {
            const msgpack_object *k = &o->via.map.ptr[i].key;
            if (k->type != MSGPACK_OBJECT_STR)
                continue;
            char *key = strndup(k->via.str.ptr, k->via.str.size);
            json_t *value = object_to_json(&o->via.map.ptr[i].val);
            if (key && value)
                json_object_set_new(m, key, value);
            else
                json_decref(value);
            free(key);
        }
        return m;
    }
    default: return json_null();
    }
}

int event_payload_open(const event_t *event, mpf_doc_t *doc, char *reason, size_t reason_cap)
{
    return mpf_doc_open(doc, event->payload, event->payload_size, EVENT_MAX_DEPTH, reason, reason_cap);
}

json_t *event_to_json(const event_t *e)
{
    json_t *doc = json_pack("{s:I, s:I, s:s, s:s, s:i, s:I, s:s}", "seq", (json_int_t) e->seq, "prev",
                            (json_int_t) e->prev, "id", e->id, "type", e->type, "v", (int) e->version, "at",
                            (json_int_t) e->occurred_at_ms, "actor_role", e->actor_role);
    if (!doc)
        return NULL;
    if (e->tracking_id)
        json_object_set_new(doc, "report", json_string(e->tracking_id));
    if (e->institution)
        json_object_set_new(doc, "institution", json_string(e->institution));
    if (e->actor_id)
        json_object_set_new(doc, "actor_id", json_string(e->actor_id));
    mpf_doc_t payload;
    char reason[128];
    if (event_payload_open(e, &payload, reason, sizeof reason) == 0) {
        json_object_set_new(doc, "payload", object_to_json(payload.root));
        mpf_doc_close(&payload);
    }
    return doc;
}
