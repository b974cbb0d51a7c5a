#ifndef ADUAN_CONFIG_COMMAND_CODEC_H
#define ADUAN_CONFIG_COMMAND_CODEC_H
#include "command_actor.h"
#include "message_types.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The commands that edit reference data (holidays, routing rules, categories, notification templates), asked by the gateway for the
 * member its session check found; the actor fields never come from an HTTP body. Every command
 * has this one body: the actor plus the fields of its own kind (message_types.h names them).
 * The answer is a staff.document (staff_query_codec.h), "{}" for the removals the gateway answers
 * with 204. Refusals are error replies with the field named (error_reply.h). */

/* Limits of the codec only: the owning service checks the real ones and answers field errors. */
#define CONFIG_TEXT_MAX 65536

typedef struct {
    command_actor_t actor;
    int64_t id;                       /* a routing rule */
    bool has_id;
    char *day, *name, *kind;          /* a holiday: YYYY-MM-DD, its name, national | joint_leave */
    char *category, *region, *institution;   /* a routing rule */
    char *code, *parent, *name_en;    /* a category (with name) */
    char *template, *language, *subject, *text_body, *html_body;   /* a notification template */
} config_command_t;

int config_command_encode(const config_command_t *in, unsigned char **out, size_t *out_size);
int config_command_decode(const void *data, size_t size, config_command_t *out, char *reason, size_t reason_cap);
void config_command_clear(config_command_t *self);

#endif
