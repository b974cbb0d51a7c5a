#ifndef ADUAN_SUPPORT_CODEC_H
#define ADUAN_SUPPORT_CODEC_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* report.support → report.support_count: "dukung", a person's support of a public report, or
 * (without a supporter) the count alone. The supporter is a random id the browser keeps; intake
 * stores only its hash, so the count is once per browser and nothing names the person. Strict
 * decoder as in report_codec.h. */

#define SUPPORTER_MIN 16
#define SUPPORTER_MAX 128

typedef struct {
    char *tracking_id;
    char *supporter;     /* NULL: read the count */
} support_request_t;

typedef struct {
    uint32_t supports;
    bool counted;        /* this request added the supporter (false: already counted, or a read) */
} support_count_t;

int support_request_encode(const support_request_t *in, unsigned char **out, size_t *out_size);
int support_request_decode(const void *data, size_t size, support_request_t *out, char *reason, size_t reason_cap);
void support_request_clear(support_request_t *self);

int support_count_encode(const support_count_t *in, unsigned char **out, size_t *out_size);
int support_count_decode(const void *data, size_t size, support_count_t *out, char *reason, size_t reason_cap);

#endif
