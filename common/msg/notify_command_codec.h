#ifndef ADUAN_NOTIFY_COMMAND_CODEC_H
#define ADUAN_NOTIFY_COMMAND_CODEC_H
#include "command_actor.h"
#include "message_types.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The commands aduan-notify serves for staff (webhooks, the inbox, the delivery log), asked by the
 * gateway for the member its session check found; the actor fields never come from an HTTP body.
 * Every command has the same body (notify_command_t): the actor plus the fields of its own kind.
 * The answer is a staff.document (staff_query_codec.h): the JSON the store rendered, which the
 * gateway passes on; commands answered by HTTP 204 (webhook.delete, inbox.read) answer "{}".
 * Refusals are error replies (error_reply.h). */

#define NOTIFY_EVENT_TYPES_MAX 32
/* Limits of the codec only: the store checks the real ones and answers field errors (a text the
 * HTTP body could carry must reach it, not fail here as a bad message). */
#define NOTIFY_TEXT_MAX 65536
#define NOTIFY_DELIVERY_ID_LEN 32   /* delivery_store.h: DELIVERY_ID_LEN */

typedef struct {
    command_actor_t actor;
    int64_t id;                         /* webhook or inbox item */
    bool has_id;
    char *url, *institution, *description;
    char *event_types[NOTIFY_EVENT_TYPES_MAX + 1];   /* NULL-terminated */
    bool unread_only;
    char *tracking_id, *status, *channel;
    char *delivery_id;
    uint32_t limit, offset;
} notify_command_t;

int notify_command_encode(const notify_command_t *in, unsigned char **out, size_t *out_size);
int notify_command_decode(const void *data, size_t size, notify_command_t *out, char *reason, size_t reason_cap);
void notify_command_clear(notify_command_t *self);

#endif
