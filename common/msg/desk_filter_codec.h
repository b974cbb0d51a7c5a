#ifndef ADUAN_DESK_FILTER_CODEC_H
#define ADUAN_DESK_FILTER_CODEC_H
#include "message_types.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* desk_filter.list / desk_filter.save / desk_filter.delete → staff.document: a staff member's saved
 * desk filters, kept by aduan-intake and asked by the gateway for the member its session check
 * found (staff_id never comes from an HTTP body). The gateway checks the name and the filters (the
 * desk's own parser) before it asks; the answer is the JSON document the store rendered
 * (staff_query_codec.h), "{}" for a delete. Refusals are error replies (error_reply.h): invalid with
 * field errors (a name taken, too many saved), not_found. */

/* Limits of the codec only (a name of 80 characters in UTF-8, the desk's filters as JSON text): the
 * gateway and the table check the real ones. */
#define DESK_FILTER_NAME_MAX 320
#define DESK_FILTER_JSON_MAX 16384

typedef struct {
    int64_t staff_id;
    int64_t id;          /* delete: the saved filter */
    bool has_id;
    char *name;          /* save */
    char *filters;       /* save: a JSON object of the desk's query arguments */
} desk_filter_command_t;

int desk_filter_command_encode(const desk_filter_command_t *in, unsigned char **out, size_t *out_size);
int desk_filter_command_decode(const void *data, size_t size, desk_filter_command_t *out, char *reason,
                               size_t reason_cap);
void desk_filter_command_clear(desk_filter_command_t *self);

#endif
