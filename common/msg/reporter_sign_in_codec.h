#ifndef ADUAN_REPORTER_SIGN_IN_CODEC_H
#define ADUAN_REPORTER_SIGN_IN_CODEC_H
#include "message_types.h"

#include <stdbool.h>
#include <stddef.h>

/* "My reports" (docs/api.md, "A reporter's own reports"), served by aduan-intake:
 * - reporter.code {contact, client} → reporter.code_issued: a one-time code for the contact, and
 *   whether to send it (only when a report has that contact; the HTTP answer is the same anyway);
 * - reporter.sign_in {contact, code} → staff.document {"session", "expires_at"};
 * - reporter.reports {session} → staff.document {"items": [...]};
 * - reporter.recover {session, tracking_id} → staff.document {"tracking_id", "reporter_token"}.
 * The gateway hands reporter.code_issued to aduan-notify as reporter.code_send without waiting for
 * the answer; notify queues the message (→ staff.document "{}"). Strict decoders as in report_codec.h. */

#define REPORTER_CONTACT_MAX 320
#define REPORTER_SIGN_IN_CODE_MAX 16
#define REPORTER_SESSION_MAX 128
/* How long a code lives: intake stores it so, notify tells the reporter ({{valid_minutes}}). */
#define REPORTER_CODE_TTL_SECONDS 600

typedef struct {
    char *contact;          /* as typed: an e-mail address or a phone number */
    char *code;
    char *session;
    char *tracking_id;
} reporter_sign_in_t;

typedef struct {
    bool deliver;           /* false: nothing to send (no report has the contact) */
    char *channel;          /* email | sms */
    char *address;          /* the contact as a report gave it */
    char *code;
    char *language;         /* id | en: that of the contact's newest report */
} reporter_code_issued_t;

int reporter_sign_in_encode(const reporter_sign_in_t *in, unsigned char **out, size_t *out_size);
int reporter_sign_in_decode(const void *data, size_t size, reporter_sign_in_t *out, char *reason, size_t reason_cap);
void reporter_sign_in_clear(reporter_sign_in_t *self);

int reporter_code_issued_encode(const reporter_code_issued_t *in, unsigned char **out, size_t *out_size);
int reporter_code_issued_decode(const void *data, size_t size, reporter_code_issued_t *out, char *reason,
                                size_t reason_cap);
/* Frees the strings and wipes the code from memory. */
void reporter_code_issued_clear(reporter_code_issued_t *self);

#endif
