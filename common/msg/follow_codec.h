#ifndef ADUAN_FOLLOW_CODEC_H
#define ADUAN_FOLLOW_CODEC_H
#include <stddef.h>

/* Following a public report by e-mail, asked of aduan-notify by the gateway (docs/api.md,
 * "Following a report"):
 *   report.follow       tracking_id, email, language → follow.state "pending"
 *   follow.confirm      token (of the confirmation mail) → follow.state "confirmed"
 *   follow.unsubscribe  token (of the unsubscribe link)  → follow.state "unsubscribed"
 * The address goes to notify only, which owns the table; the answer never carries it. Refusals
 * are error replies: not_found, rate_limited, invalid. Strict decoder as in report_codec.h. */

#define FOLLOW_EMAIL_MAX 254
#define FOLLOW_TOKEN_MAX 64

typedef struct {
    char *tracking_id;   /* report.follow */
    char *email;         /* report.follow */
    char *language;      /* report.follow: "id" or "en" */
    char *token;         /* follow.confirm, follow.unsubscribe */
} follow_request_t;

typedef struct {
    char *tracking_id;
    char *state;         /* pending | confirmed | unsubscribed */
} follow_state_t;

/* The address as it is stored and compared: lower-case ASCII letters, one '@' with text on both
 * sides, no spaces or control characters, at most FOLLOW_EMAIL_MAX bytes. 0, or -1 when it is
 * not one. */
int follow_email_normalize(const char *in, char out[FOLLOW_EMAIL_MAX + 1]);

int follow_request_encode(const follow_request_t *in, unsigned char **out, size_t *out_size);
int follow_request_decode(const void *data, size_t size, follow_request_t *out, char *reason, size_t reason_cap);
void follow_request_clear(follow_request_t *self);

int follow_state_encode(const follow_state_t *in, unsigned char **out, size_t *out_size);
int follow_state_decode(const void *data, size_t size, follow_state_t *out, char *reason, size_t reason_cap);
void follow_state_clear(follow_state_t *self);

#endif
