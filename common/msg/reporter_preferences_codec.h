#ifndef ADUAN_REPORTER_PREFERENCES_CODEC_H
#define ADUAN_REPORTER_PREFERENCES_CODEC_H
#include "message_types.h"

#include <stdbool.h>
#include <stddef.h>

/* report.notifications → report.notifications_set: a reporter holding the report's token says
 * whether aduan-notify may tell them about it, and in which language (id or en). Served by
 * aduan-intake, which owns the report; the gateway only translates. Strict decoders as in
 * report_codec.h. */

#define REPORTER_TOKEN_MAX 128

typedef struct {
    char *tracking_id;
    char *reporter_token;
    bool has_enabled, enabled;      /* absent: unchanged */
    char *language;                 /* NULL: unchanged */
} reporter_preferences_t;

/* What holds after the change. */
typedef struct {
    char *tracking_id;
    bool enabled;
    char *language;
} reporter_preferences_set_t;

int reporter_preferences_encode(const reporter_preferences_t *in, unsigned char **out, size_t *out_size);
int reporter_preferences_decode(const void *data, size_t size, reporter_preferences_t *out, char *reason,
                                size_t reason_cap);
void reporter_preferences_clear(reporter_preferences_t *self);

int reporter_preferences_set_encode(const reporter_preferences_set_t *in, unsigned char **out, size_t *out_size);
int reporter_preferences_set_decode(const void *data, size_t size, reporter_preferences_set_t *out, char *reason,
                                    size_t reason_cap);
void reporter_preferences_set_clear(reporter_preferences_set_t *self);

#endif
