#ifndef ADUAN_MSGPACK_FIELDS_H
#define ADUAN_MSGPACK_FIELDS_H
#include <msgpack.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The one place that reads and writes msgpack maps for the typed codecs. A codec describes its
 * struct once, as a table of fields (key, type, required, limit, offset), and the same table both
 * encodes and strictly decodes it, so the two can never disagree.
 *
 * Conventions: maps are written in table order; an optional string is absent (not nil) when its
 * pointer is NULL; an optional number is absent when its `present` flag is false; booleans and
 * required numbers are always written. Decoding rejects unknown keys, duplicate keys, wrong types,
 * strings that are not valid UTF-8 or longer than their limit (bytes), missing required fields. */
typedef enum {
    MPF_STR,        /* char * (malloc'd) */
    MPF_INT,        /* int64_t */
    MPF_UINT,       /* uint32_t */
    MPF_BOOL,       /* bool */
    MPF_DOUBLE,     /* double (ints accepted when decoding) */
    MPF_CHARS,      /* char[limit + 1] inside the struct */
} mpf_type_t;

#define MPF_NO_FLAG ((size_t) -1)

typedef struct {
    const char *key;
    mpf_type_t type;
    bool required;
    size_t limit;           /* max bytes of a string; 0 = no limit beyond the message's */
    size_t offset;          /* of the value in the struct */
    size_t present_offset;  /* bool flag for optional numbers, else MPF_NO_FLAG */
} mpf_field_t;

/* The number of fields of a static table, for the mpf_* calls below. */
#define MPF_COUNT(table) (sizeof(table) / sizeof((table)[0]))

/* Checks the raw bytes before any allocation: exactly one object, no trailing bytes, nesting at most
 * max_depth, and no container claiming more elements than bytes remain (which would make the
 * unpacker allocate absurd amounts). 0 when sound. */
int mpf_prescan(const void *data, size_t size, int max_depth, char *reason, size_t reason_cap);

/* A decoded document: the prescan, then msgpack-c's object tree. The root must be a map. */
typedef struct {
    msgpack_unpacked unpacked;
    const msgpack_object *root;
} mpf_doc_t;

int mpf_doc_open(mpf_doc_t *doc, const void *data, size_t size, int max_depth,
                 char *reason, size_t reason_cap);
void mpf_doc_close(mpf_doc_t *doc);

/* Reads the fields of `map` into `target`. Keys named in `extra_keys` (NULL-terminated, may be
 * NULL) are allowed and left to the caller (arrays, nested maps). On failure every string this call
 * allocated is freed again and the reason names the field. */
int mpf_read(const msgpack_object *map, const mpf_field_t *fields, size_t count, void *target,
             const char *const *extra_keys, char *reason, size_t reason_cap);
/* Reads `list` (the value of field `key`), an array of at most `max` maps of `fields`, into
 * `items` (`item_size` bytes each, zeroed by the caller, room for `max`); *read counts the items
 * read. On failure the strings of the items read so far are freed and *read is 0. */
int mpf_read_list(const msgpack_object *list, const char *key, size_t max, const mpf_field_t *fields,
                  size_t count, void *items, size_t item_size, size_t *read, char *reason, size_t reason_cap);
/* The same into a calloc'd array (NULL for an empty list). */
int mpf_read_list_alloc(const msgpack_object *list, const char *key, size_t max, const mpf_field_t *fields,
                        size_t count, void **items, size_t item_size, size_t *read, char *reason, size_t reason_cap);

/* Frees the MPF_STR fields of `target` and sets them to NULL. */
void mpf_free_strings(const mpf_field_t *fields, size_t count, void *target);

/* Message structs own their strings (their _clear frees them). A sender holding borrowed strings
 * fills a struct with copies through this: *slot becomes a copy of `value` (NULL stays NULL), the
 * string it held before freed. 0, or -1 when out of memory (*slot then NULL). */
int mpf_set_string(char **slot, const char *value);
/* The value of `key` in `map`, or NULL. */
const msgpack_object *mpf_find(const msgpack_object *map, const char *key);
/* Copies a msgpack string into a malloc'd, NUL-terminated, UTF-8-checked C string. */
char *mpf_strdup(const msgpack_object *object, size_t limit, char *reason, size_t reason_cap);

/* Writing: an sbuffer with a packer. */
typedef struct {
    msgpack_sbuffer buffer;
    msgpack_packer packer;
} mpf_writer_t;

void mpf_writer_init(mpf_writer_t *writer);
/* Hands the bytes over (malloc'd) and resets the writer. -1 if nothing was written. */
int mpf_writer_finish(mpf_writer_t *writer, unsigned char **out, size_t *out_size);
void mpf_writer_discard(mpf_writer_t *writer);
/* Number of fields of `source` that will be written (for map headers with extra entries). */
size_t mpf_count(const mpf_field_t *fields, size_t count, const void *source);
/* Writes the fields (not the map header). */
void mpf_write(msgpack_packer *packer, const mpf_field_t *fields, size_t count, const void *source);
void mpf_write_str(msgpack_packer *packer, const char *text);
/* A whole map of exactly these fields. */
int mpf_encode(const mpf_field_t *fields, size_t count, const void *source,
               unsigned char **out, size_t *out_size);
/* Decodes a whole map of exactly these fields. */
int mpf_decode(const void *data, size_t size, const mpf_field_t *fields, size_t count, void *target,
               char *reason, size_t reason_cap);

#endif
