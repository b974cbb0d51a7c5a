#include "msgpack_fields.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "utf8_text.h"

#define MPF_MAX_DEPTH 32
#define MPF_MAX_FIELDS 64

static int fail(char *reason, size_t cap, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int fail(char *reason, size_t cap, const char *fmt, ...)
{
    if (reason && cap) {
        va_list args;
        va_start(args, fmt);
        vsnprintf(reason, cap, fmt, args);
        va_end(args);
    }
    return -1;
}

/* Big-endian unsigned of `width` bytes at *p, advancing *p; -1 when the bytes are not there. */
static int take_be(const unsigned char **p, const unsigned char *end, int width, uint64_t *value)
{
    if (end - *p < width)
        return -1;
    *value = 0;
    for (int i = 0; i < width; i++)
        *value = (*value << 8) | (*p)[i];
    *p += width;
    return 0;
}

/* What one type byte announces: payload bytes to skip, or a container with `items` children. */
static int classify(uint8_t b, const unsigned char **p, const unsigned char *end,
                    uint64_t *skip, uint64_t *items, bool *container)
{
    static const struct { uint8_t byte; int len_width; int fixed; int kind; } table[] = {
        /* kind 0: bytes of `fixed` size; 1: length-prefixed payload; 2: array; 3: map */
        {0xc4, 1, 0, 1}, {0xc5, 2, 0, 1}, {0xc6, 4, 0, 1},
        {0xd9, 1, 0, 1}, {0xda, 2, 0, 1}, {0xdb, 4, 0, 1},
        {0xca, 0, 4, 0}, {0xcb, 0, 8, 0},
        {0xcc, 0, 1, 0}, {0xcd, 0, 2, 0}, {0xce, 0, 4, 0}, {0xcf, 0, 8, 0},
        {0xd0, 0, 1, 0}, {0xd1, 0, 2, 0}, {0xd2, 0, 4, 0}, {0xd3, 0, 8, 0},
        {0xdc, 2, 0, 2}, {0xdd, 4, 0, 2}, {0xde, 2, 0, 3}, {0xdf, 4, 0, 3},
    };
    *skip = 0;
    *items = 0;
    *container = false;
    if (b <= 0x7f || b >= 0xe0 || b == 0xc0 || b == 0xc2 || b == 0xc3)
        return 0;
    if ((b & 0xf0) == 0x80 || (b & 0xf0) == 0x90) {
        *container = true;
        *items = (uint64_t) (b & 0x0f) * ((b & 0xf0) == 0x80 ? 2 : 1);
        return 0;
    }
    if ((b & 0xe0) == 0xa0) {
        *skip = b & 0x1f;
        return 0;
    }
    for (size_t i = 0; i < sizeof table / sizeof table[0]; i++) {
        if (table[i].byte != b)
            continue;
        if (table[i].kind == 0) {
            *skip = (uint64_t) table[i].fixed;
            return 0;
        }
        uint64_t n;
        if (take_be(p, end, table[i].len_width, &n) != 0)
            return -1;
        if (table[i].kind == 1)
            *skip = n;
        else {
            *container = true;
            *items = table[i].kind == 3 ? 2 * n : n;
        }
        return 0;
    }
    return -2;  /* ext types and 0xc1: not used by aduan */
}

int mpf_prescan(const void *data, size_t size, int max_depth, char *reason, size_t cap)
{
    const unsigned char *p = data, *end = p + size;
    uint64_t pending[MPF_MAX_DEPTH + 1];
    int depth = 0;
    if (max_depth > MPF_MAX_DEPTH)
        max_depth = MPF_MAX_DEPTH;
    pending[0] = 1;
    while (depth >= 0) {
        if (pending[depth] == 0) {
            depth--;
            continue;
        }
        if (p >= end)
            return fail(reason, cap, "message truncated");
        pending[depth]--;
        uint8_t b = *p++;
        uint64_t skip, items;
        bool container;
        int rc = classify(b, &p, end, &skip, &items, &container);
        if (rc == -2)
            return fail(reason, cap, "unsupported msgpack type 0x%02x", b);
        if (rc != 0 || skip > (uint64_t) (end - p))
            return fail(reason, cap, "message truncated");
        p += skip;
        if (container && items > 0) {
            if (items > (uint64_t) (end - p))
                return fail(reason, cap, "container claims more elements than the message holds");
            if (depth + 1 > max_depth)
                return fail(reason, cap, "nested deeper than %d levels", max_depth);
            pending[++depth] = items;
        }
    }
    if (p != end)
        return fail(reason, cap, "%zu trailing bytes after the message", (size_t) (end - p));
    return 0;
}

int mpf_doc_open(mpf_doc_t *doc, const void *data, size_t size, int max_depth, char *reason, size_t cap)
{
    doc->root = NULL;
    msgpack_unpacked_init(&doc->unpacked);
    if (!data || size == 0)
        return fail(reason, cap, "empty message");
    if (mpf_prescan(data, size, max_depth, reason, cap) != 0)
        return -1;
    size_t offset = 0;
    msgpack_unpack_return rc = msgpack_unpack_next(&doc->unpacked, data, size, &offset);
    if (rc != MSGPACK_UNPACK_SUCCESS || offset != size) {
        mpf_doc_close(doc);
        return fail(reason, cap, "message is not valid msgpack");
    }
    if (doc->unpacked.data.type != MSGPACK_OBJECT_MAP) {
        mpf_doc_close(doc);
        return fail(reason, cap, "message is not a map");
    }
    doc->root = &doc->unpacked.data;
    return 0;
}

void mpf_doc_close(mpf_doc_t *doc)
{
    msgpack_unpacked_destroy(&doc->unpacked);
    msgpack_unpacked_init(&doc->unpacked);
    doc->root = NULL;
}

static bool key_is(const msgpack_object *key, const char *name)
{
    size_t n = strlen(name);
    return key->type == MSGPACK_OBJECT_STR && key->via.str.size == n && memcmp(key->via.str.ptr, name, n) == 0;
}

const msgpack_object *mpf_find(const msgpack_object *map, const char *key)
{
    if (map->type != MSGPACK_OBJECT_MAP)
        return NULL;
    for (uint32_t i = 0; i < map->via.map.size; i++)
        if (key_is(&map->via.map.ptr[i].key, key))
            return &map->via.map.ptr[i].val;
    return NULL;
}

char *mpf_strdup(const msgpack_object *object, size_t limit, char *reason, size_t cap)
{
    if (object->type != MSGPACK_OBJECT_STR) {
        fail(reason, cap, "expected str");
        return NULL;
    }
    size_t n = object->via.str.size;
    if (limit && n > limit) {
        fail(reason, cap, "longer than %zu bytes", limit);
        return NULL;
    }
    if (utf8_text_length(object->via.str.ptr, n) < 0) {
        fail(reason, cap, "not valid UTF-8 (or contains NUL)");
        return NULL;
    }
    char *copy = malloc(n + 1);
    if (!copy) {
        fail(reason, cap, "out of memory");
        return NULL;
    }
    memcpy(copy, object->via.str.ptr, n);
    copy[n] = '\0';
    return copy;
}

static void *at(void *base, size_t offset)
{
    return (char *) base + offset;
}

static const void *at_const(const void *base, size_t offset)
{
    return (const char *) base + offset;
}

/* Stores one value of `field` from `value` into `target`. */
static int read_value(const mpf_field_t *field, const msgpack_object *value, void *target,
                      char *reason, size_t cap)
{
    char why[128];
    switch (field->type) {
    case MPF_STR: {
        char *copy = mpf_strdup(value, field->limit, why, sizeof why);
        if (!copy)
            return fail(reason, cap, "field '%s': %s", field->key, why);
        *(char **) at(target, field->offset) = copy;
        break;
    }
    case MPF_CHARS: {
        char *copy = mpf_strdup(value, field->limit, why, sizeof why);
        if (!copy)
            return fail(reason, cap, "field '%s': %s", field->key, why);
        memcpy(at(target, field->offset), copy, strlen(copy) + 1);
        free(copy);
        break;
    }
    case MPF_INT:
        if (value->type == MSGPACK_OBJECT_POSITIVE_INTEGER && value->via.u64 <= INT64_MAX)
            *(int64_t *) at(target, field->offset) = (int64_t) value->via.u64;
        else if (value->type == MSGPACK_OBJECT_NEGATIVE_INTEGER)
            *(int64_t *) at(target, field->offset) = value->via.i64;
        else
            return fail(reason, cap, "field '%s': expected int", field->key);
        break;
    case MPF_UINT:
        if (value->type != MSGPACK_OBJECT_POSITIVE_INTEGER || value->via.u64 > UINT32_MAX)
            return fail(reason, cap, "field '%s': expected uint32", field->key);
        *(uint32_t *) at(target, field->offset) = (uint32_t) value->via.u64;
        break;
    case MPF_BOOL:
        if (value->type != MSGPACK_OBJECT_BOOLEAN)
            return fail(reason, cap, "field '%s': expected bool", field->key);
        *(bool *) at(target, field->offset) = value->via.boolean;
        break;
    case MPF_DOUBLE:
        if (value->type == MSGPACK_OBJECT_FLOAT32 || value->type == MSGPACK_OBJECT_FLOAT64)
            *(double *) at(target, field->offset) = value->via.f64;
        else if (value->type == MSGPACK_OBJECT_POSITIVE_INTEGER)
            *(double *) at(target, field->offset) = (double) value->via.u64;
        else if (value->type == MSGPACK_OBJECT_NEGATIVE_INTEGER)
            *(double *) at(target, field->offset) = (double) value->via.i64;
        else
            return fail(reason, cap, "field '%s': expected float", field->key);
        break;
    }
    if (field->present_offset != MPF_NO_FLAG)
        *(bool *) at(target, field->present_offset) = true;
    return 0;
}

static int find_field(const msgpack_object *key, const mpf_field_t *fields, size_t count)
{
    for (size_t i = 0; i < count; i++)
        if (key_is(key, fields[i].key))
            return (int) i;
    return -1;
}

static int find_extra(const msgpack_object *key, const char *const *extra_keys)
{
    for (int i = 0; extra_keys && extra_keys[i]; i++)
        if (key_is(key, extra_keys[i]))
            return i;
    return -1;
}

static int read_entries(const msgpack_object *map, const mpf_field_t *fields, size_t count,
                        void *target, const char *const *extra_keys, char *reason, size_t cap)
{
    bool seen[MPF_MAX_FIELDS] = {false};
    bool seen_extra[MPF_MAX_FIELDS] = {false};
    for (uint32_t i = 0; i < map->via.map.size; i++) {
        const msgpack_object *key = &map->via.map.ptr[i].key;
        if (key->type != MSGPACK_OBJECT_STR)
            return fail(reason, cap, "map key is not a string");
        int index = find_field(key, fields, count);
        if (index < 0) {
            int extra = find_extra(key, extra_keys);
            if (extra < 0 || seen_extra[extra])
                return fail(reason, cap, "%s field '%.*s'", extra < 0 ? "unknown" : "duplicate",
                            (int) (key->via.str.size > 64 ? 64 : key->via.str.size), key->via.str.ptr);
            seen_extra[extra] = true;
            continue;
        }
        if (seen[index])
            return fail(reason, cap, "duplicate field '%s'", fields[index].key);
        seen[index] = true;
        if (read_value(&fields[index], &map->via.map.ptr[i].val, target, reason, cap) != 0)
            return -1;
    }
    for (size_t i = 0; i < count; i++)
        if (fields[i].required && !seen[i])
            return fail(reason, cap, "field '%s' is required", fields[i].key);
    return 0;
}

int mpf_read(const msgpack_object *map, const mpf_field_t *fields, size_t count, void *target,
             const char *const *extra_keys, char *reason, size_t cap)
{
    if (count > MPF_MAX_FIELDS)
        return fail(reason, cap, "codec table too large");
    if (map->type != MSGPACK_OBJECT_MAP)
        return fail(reason, cap, "expected a map");
    if (read_entries(map, fields, count, target, extra_keys, reason, cap) != 0) {
        mpf_free_strings(fields, count, target);
        return -1;
    }
    return 0;
}

int mpf_read_list(const msgpack_object *list, const char *key, size_t max, const mpf_field_t *fields,
                  size_t count, void *items, size_t item_size, size_t *read, char *reason, size_t cap)
{
    *read = 0;
    if (!list || list->type != MSGPACK_OBJECT_ARRAY || list->via.array.size > max)
        return fail(reason, cap, "field '%s': expected an array of at most %zu", key, max);
    for (uint32_t i = 0; i < list->via.array.size; i++) {
        if (mpf_read(&list->via.array.ptr[i], fields, count, (char *) items + i * item_size, NULL, reason, cap) != 0) {
            for (size_t k = 0; k < *read; k++)
                mpf_free_strings(fields, count, (char *) items + k * item_size);
            *read = 0;
            return -1;
        }
        (*read)++;
    }
    return 0;
}

int mpf_read_list_alloc(const msgpack_object *list, const char *key, size_t max, const mpf_field_t *fields,
                        size_t count, void **items, size_t item_size, size_t *read, char *reason, size_t cap)
{
    *items = NULL;
    *read = 0;
    size_t n = list && list->type == MSGPACK_OBJECT_ARRAY ? list->via.array.size : 0;
    if (n && n <= max && !(*items = calloc(n, item_size)))
        return fail(reason, cap, "out of memory");
    if (mpf_read_list(list, key, max, fields, count, *items, item_size, read, reason, cap) != 0) {
        free(*items);
        *items = NULL;
        return -1;
    }
    return 0;
}

void mpf_free_strings(const mpf_field_t *fields, size_t count, void *target)
{
    for (size_t i = 0; i < count; i++) {
        if (fields[i].type != MPF_STR)
            continue;
        char **slot = at(target, fields[i].offset);
        free(*slot);
        *slot = NULL;
    }
}

/* msgpack-c's buffer takes 8 kB at its first write, and the bytes are handed over in it: each
 * message of a few hundred bytes held 8 kB. A batch's thirty-odd events and receipts grew intake's
 * heap by a quarter of a MB, which went back at the batch's end and was faulted in again at the
 * next (a third of intake's CPU a submission, most of it in malloc), and every 8 kB request made
 * malloc sort its small freed blocks first. The buffer starts with room for most messages (a
 * submission, its event, a receipt), below malloc's large requests, and doubles from there as
 * before. */
#define WRITER_FIRST_BYTES 1000

void mpf_writer_init(mpf_writer_t *writer)
{
    msgpack_sbuffer_init(&writer->buffer);
    /* without it, msgpack-c allocates at the first write as before */
    if ((writer->buffer.data = malloc(WRITER_FIRST_BYTES)))
        writer->buffer.alloc = WRITER_FIRST_BYTES;
    msgpack_packer_init(&writer->packer, &writer->buffer, msgpack_sbuffer_write);
}

int mpf_writer_finish(mpf_writer_t *writer, unsigned char **out, size_t *out_size)
{
    if (!writer->buffer.data || writer->buffer.size == 0) {
        mpf_writer_discard(writer);
        return -1;
    }
    *out_size = writer->buffer.size;
    *out = (unsigned char *) msgpack_sbuffer_release(&writer->buffer);
    return 0;
}

void mpf_writer_discard(mpf_writer_t *writer)
{
    msgpack_sbuffer_destroy(&writer->buffer);
    msgpack_sbuffer_init(&writer->buffer);
}

static bool will_write(const mpf_field_t *field, const void *source)
{
    if (field->type == MPF_STR)
        return *(char *const *) at_const(source, field->offset) != NULL;
    if (field->present_offset != MPF_NO_FLAG)
        return *(const bool *) at_const(source, field->present_offset);
    return true;
}

size_t mpf_count(const mpf_field_t *fields, size_t count, const void *source)
{
    size_t n = 0;
    for (size_t i = 0; i < count; i++)
        n += will_write(&fields[i], source);
    return n;
}

void mpf_write_str(msgpack_packer *packer, const char *text)
{
    size_t n = strlen(text);
    msgpack_pack_str(packer, n);
    msgpack_pack_str_body(packer, text, n);
}

void mpf_write(msgpack_packer *packer, const mpf_field_t *fields, size_t count, const void *source)
{
    for (size_t i = 0; i < count; i++) {
        const mpf_field_t *f = &fields[i];
        if (!will_write(f, source))
            continue;
        mpf_write_str(packer, f->key);
        const void *value = at_const(source, f->offset);
        switch (f->type) {
        case MPF_STR: mpf_write_str(packer, *(char *const *) value); break;
        case MPF_CHARS: mpf_write_str(packer, (const char *) value); break;
        case MPF_INT: msgpack_pack_int64(packer, *(const int64_t *) value); break;
        case MPF_UINT: msgpack_pack_uint32(packer, *(const uint32_t *) value); break;
        case MPF_DOUBLE: msgpack_pack_double(packer, *(const double *) value); break;
        case MPF_BOOL:
            if (*(const bool *) value)
                msgpack_pack_true(packer);
            else
                msgpack_pack_false(packer);
            break;
        }
    }
}

int mpf_encode(const mpf_field_t *fields, size_t count, const void *source,
               unsigned char **out, size_t *out_size)
{
    mpf_writer_t writer;
    mpf_writer_init(&writer);
    msgpack_pack_map(&writer.packer, mpf_count(fields, count, source));
    mpf_write(&writer.packer, fields, count, source);
    return mpf_writer_finish(&writer, out, out_size);
}

int mpf_decode(const void *data, size_t size, const mpf_field_t *fields, size_t count, void *target,
               char *reason, size_t cap)
{
    mpf_doc_t doc;
    if (mpf_doc_open(&doc, data, size, 2, reason, cap) != 0)
        return -1;
    int rc = mpf_read(doc.root, fields, count, target, NULL, reason, cap);
    mpf_doc_close(&doc);
    return rc;
}

int mpf_set_string(char **slot, const char *value)
{
    free(*slot);
    *slot = value ? strdup(value) : NULL;
    return value && !*slot ? -1 : 0;
}
