#ifndef ADUAN_MAIL_MESSAGE_H
#define ADUAN_MAIL_MESSAGE_H

#include <stddef.h>
#include <stdint.h>

/* An e-mail as the bytes handed to SMTP (RFC 5322 with MIME): UTF-8 subject as encoded words,
 * plain text and, when given, HTML as multipart/alternative, bodies in base64 so any text survives
 * any relay, CRLF line ends. The Message-ID is the delivery's own, so a message sent twice after
 * a crash is recognisably the same message. With list_unsubscribe, List-Unsubscribe and
 * List-Unsubscribe-Post: List-Unsubscribe=One-Click let a mail client unsubscribe with one POST. */
typedef struct {
    const char *from;          /* address, optionally "Name <address>" */
    const char *to;            /* address */
    const char *subject;
    const char *text;          /* required */
    const char *html;          /* NULL or "" for text only */
    const char *message_id;    /* without the angle brackets, e.g. "<delivery id>@aduan" */
    int64_t date_ms;
    const char *list_unsubscribe;  /* NULL, or an http(s) URL: one-click unsubscribe headers (RFC 8058) */
} mail_message_t;

/* A malloc'd message (NUL-terminated; *size without the NUL), or NULL when an address or the
 * message id holds a line break (header injection) or memory ran out; reason says which. */
char *mail_message_render(const mail_message_t *message, size_t *size, char *reason, size_t reason_cap);

#endif
