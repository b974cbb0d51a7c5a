#include "mail_message.h"

#include "text_buffer.h"

#include <sodium.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define BASE64_LINE 76
/* Raw bytes per encoded word: 52 base64 characters, so "Subject: " and the first word stay within
 * the 76 characters a line of encoded words may have (RFC 2047 section 2). */
#define ENCODED_WORD_BYTES 39

/* base64 of [data, data+n) without line breaks */
static void append_base64(text_buffer_t *b, const unsigned char *data, size_t n)
{
    char chunk[sodium_base64_ENCODED_LEN(ENCODED_WORD_BYTES * 3, sodium_base64_VARIANT_ORIGINAL)];
    for (size_t at = 0; at < n; at += ENCODED_WORD_BYTES * 3) {
        size_t take = n - at < ENCODED_WORD_BYTES * 3 ? n - at : ENCODED_WORD_BYTES * 3;
        sodium_bin2base64(chunk, sizeof chunk, data + at, take, sodium_base64_VARIANT_ORIGINAL);
        text_buffer_append_str(b, chunk);
    }
}

static bool is_plain_ascii(const char *s)
{
    for (; *s; s++)
        if ((unsigned char) *s < 0x20 || (unsigned char) *s > 0x7e)
            return false;
    return true;
}

/* RFC 2047 encoded words, each holding whole UTF-8 characters, folded onto continuation lines. */
static void append_subject(text_buffer_t *b, const char *subject)
{
    text_buffer_append_str(b, "Subject: ");
    if (is_plain_ascii(subject) && strlen(subject) <= 900) {
        text_buffer_append_str(b, subject);
        text_buffer_append_str(b, "\r\n");
        return;
    }
    const unsigned char *p = (const unsigned char *) subject;
    size_t left = strlen(subject);
    bool first = true;
    while (left > 0) {
        size_t take = left < ENCODED_WORD_BYTES ? left : ENCODED_WORD_BYTES;
        while (take < left && take > 0 && (p[take] & 0xC0) == 0x80)
            take--;   /* do not cut a character in two */
        if (take == 0)
            take = left < ENCODED_WORD_BYTES ? left : ENCODED_WORD_BYTES;
        text_buffer_append_str(b, first ? "=?UTF-8?B?" : "\r\n =?UTF-8?B?");
        append_base64(b, p, take);
        text_buffer_append_str(b, "?=");
        p += take;
        left -= take;
        first = false;
    }
    text_buffer_append_str(b, "\r\n");
}

static void append_body_part(text_buffer_t *b, const char *type, const char *body)
{
    text_buffer_append_str(b, "Content-Type: ");
    text_buffer_append_str(b, type);
    text_buffer_append_str(b, "; charset=UTF-8\r\nContent-Transfer-Encoding: base64\r\n\r\n");
    size_t n = strlen(body), line_bytes = BASE64_LINE / 4 * 3;
    for (size_t at = 0; at < n; at += line_bytes) {
        append_base64(b, (const unsigned char *) body + at, n - at < line_bytes ? n - at : line_bytes);
        text_buffer_append_str(b, "\r\n");
    }
}

static bool has_line_break(const char *s)
{
    return s && strpbrk(s, "\r\n") != NULL;
}

static void append_headers(text_buffer_t *b, const mail_message_t *m)
{
    char date[64];
    time_t seconds = (time_t) (m->date_ms / 1000);
    struct tm utc;
    gmtime_r(&seconds, &utc);
    strftime(date, sizeof date, "Date: %a, %d %b %Y %H:%M:%S +0000\r\n", &utc);
    text_buffer_append_str(b, date);
    const char *names[] = {"From: ", "To: ", "Message-ID: <"};
    const char *values[] = {m->from, m->to, m->message_id};
    for (int i = 0; i < 3; i++) {
        text_buffer_append_str(b, names[i]);
        text_buffer_append_str(b, values[i]);
        text_buffer_append_str(b, i == 2 ? ">\r\n" : "\r\n");
    }
    if (m->list_unsubscribe) {
        text_buffer_append_str(b, "List-Unsubscribe: <");
        text_buffer_append_str(b, m->list_unsubscribe);
        text_buffer_append_str(b, ">\r\nList-Unsubscribe-Post: List-Unsubscribe=One-Click\r\n");
    }
    append_subject(b, m->subject ? m->subject : "");
    text_buffer_append_str(b, "MIME-Version: 1.0\r\nAuto-Submitted: auto-generated\r\n");
}

char *mail_message_render(const mail_message_t *m, size_t *size, char *reason, size_t reason_cap)
{
    if (!m->from || !m->to || !m->message_id || !m->text || has_line_break(m->from) || has_line_break(m->to)
        || has_line_break(m->message_id) || has_line_break(m->subject) || has_line_break(m->list_unsubscribe)) {
        if (reason)
            snprintf(reason, reason_cap, "missing address or text, or a line break in a header");
        return NULL;
    }
    text_buffer_t b = {0};
    append_headers(&b, m);
    if (m->html && m->html[0]) {
        char boundary[160];
        /* at most 70 characters, none that would need quoting inside the quotes (RFC 2046) */
        snprintf(boundary, 71, "=_aduan_%s", m->message_id);
        for (char *c = boundary; *c; c++)
            if (*c == '@' || *c == '"' || *c == '\\')
                *c = '.';
        text_buffer_append_str(&b, "Content-Type: multipart/alternative; boundary=\"");
        text_buffer_append_str(&b, boundary);
        text_buffer_append_str(&b, "\"\r\n\r\n--");
        text_buffer_append_str(&b, boundary);
        text_buffer_append_str(&b, "\r\n");
        append_body_part(&b, "text/plain", m->text);
        text_buffer_append_str(&b, "\r\n--");
        text_buffer_append_str(&b, boundary);
        text_buffer_append_str(&b, "\r\n");
        append_body_part(&b, "text/html", m->html);
        text_buffer_append_str(&b, "\r\n--");
        text_buffer_append_str(&b, boundary);
        text_buffer_append_str(&b, "--\r\n");
    } else {
        append_body_part(&b, "text/plain", m->text);
    }
    char *message = text_buffer_take(&b, size);
    if (!message && reason)
        snprintf(reason, reason_cap, "out of memory");
    return message;
}
