#ifndef ADUAN_ENVELOPE_H
#define ADUAN_ENVELOPE_H
#include "message_types.h"
#include <stddef.h>
#include <stdint.h>

/* Every ZeroMQ message is one msgpack map, the envelope:
 *   { "t": type (str), "v": version (uint), "id": request/event id (str),
 *     "trace": trace id (str), "at": sent-at in ms since the epoch (int), "body": payload (bin) }
 * The payload is itself msgpack, encoded by the typed codecs (report_codec.h, ...), so this module
 * never needs to know what it carries. Replies carry the id of their request. */
#define ENVELOPE_MAX_BYTES (1024 * 1024)
#define ENVELOPE_TYPE_MAX 63
#define ENVELOPE_ID_MAX 63

typedef struct {
    char type[ENVELOPE_TYPE_MAX + 1];
    uint32_t version;
    char id[ENVELOPE_ID_MAX + 1];
    char trace[ENVELOPE_ID_MAX + 1];
    int64_t sent_at_ms;
    unsigned char *body;      /* owned; may be NULL when body_size is 0 */
    size_t body_size;
} envelope_t;

/* id and trace may be NULL: a fresh random id is made; trace defaults to the id. */
envelope_t *envelope_new(const char *type, uint32_t version, const char *id, const char *trace);
void envelope_destroy(envelope_t **self_p);

/* A reply to `request`: same id and trace, the given type, no body yet. */
envelope_t *envelope_new_reply(const envelope_t *request, const char *type);
int envelope_set_type(envelope_t *self, const char *type);
/* Takes ownership of `body` (malloc'd) and frees any previous one. */
void envelope_take_body(envelope_t *self, unsigned char *body, size_t size);

/* Encodes to a malloc'd buffer. 0 on success. */
int envelope_encode(const envelope_t *self, unsigned char **out, size_t *out_size);
/* Strict: a map with exactly the known keys of the right types and lengths, nothing trailing,
 * size <= ENVELOPE_MAX_BYTES. NULL with a reason otherwise. */
envelope_t *envelope_decode(const void *data, size_t size, char *reason, size_t reason_cap);

/* 32 lowercase hex characters from the system's CSPRNG. */
void envelope_random_id(char out[ENVELOPE_ID_MAX + 1]);
int64_t envelope_now_ms(void);

#endif
