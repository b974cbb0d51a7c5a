#ifndef ADUAN_ATTACHMENT_CODEC_H
#define ADUAN_ATTACHMENT_CODEC_H
#include "message_types.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* A report's attachments (photos, PDFs), owned by aduan-intake; the gateway only translates.
 * One body for the four messages, each using the fields it needs:
 *   attachment.add    tracking_id, reporter_token, data         → attachment.stored
 *   attachment.stored tracking_id, number, media_type, width/height (images)
 *   attachment.get    tracking_id, number, thumbnail, and reporter_token or the staff actor
 *                     (actor_role, actor_institution, from the gateway's session) → attachment.data
 *   attachment.data   media_type, data
 * Strict decoders as in report_codec.h; data is a msgpack bin of at most ATTACHMENT_DATA_MAX. */

#define ATTACHMENT_DATA_MAX (10 * 1024 * 1024)
#define ATTACHMENTS_PER_REPORT 5

typedef struct {
    char *tracking_id;
    char *reporter_token;
    char *actor_role;               /* get by staff: their role and institution */
    char *actor_institution;
    int64_t number;                 /* 1..ATTACHMENTS_PER_REPORT; 0 = not given */
    bool thumbnail;
    char *media_type;
    int64_t width, height;          /* of a stored image; 0 otherwise */
    unsigned char *data;
    size_t size;
} attachment_t;

int attachment_encode(const attachment_t *in, unsigned char **out, size_t *out_size);
int attachment_decode(const void *data, size_t size, attachment_t *out, char *reason, size_t reason_cap);
void attachment_clear(attachment_t *self);

#endif
