#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <sodium.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mail_message.h"

#define DATE_MS INT64_C(1764115200000)   /* date -u -d @1764115200: Wed Nov 26 00:00:00 UTC 2025 */
#define SUBJECT_PIECE "Laporan \xe2\x80\x94 tindak lanjut \xe2\x9c\x93 "   /* "Laporan — tindak lanjut ✓ " */

static mail_message_t base_message(void)
{
    return (mail_message_t) {
        .from = "Aduan Kota <noreply@aduan.example>",
        .to = "warga@example.org",
        .subject = "Laporan ADU-7K3Q diterima",
        .text = "Halo,\nlaporan Anda sudah kami terima.\n",
        .html = NULL,
        .message_id = "0b7f4c1e-1c2d-4e5f-8a9b-0c1d2e3f4a5b@aduan",
        .date_ms = DATE_MS,
    };
}

static char *render_ok(const mail_message_t *m, size_t *size)
{
    char reason[128] = "";
    size_t n = 0;
    char *out = mail_message_render(m, &n, reason, sizeof reason);
    if (!out)
        fail_msg("render failed: %s", reason);
    assert_int_equal(n, strlen(out));
    if (size)
        *size = n;
    return out;
}

static void assert_render_refused(const mail_message_t *m)
{
    char reason[128] = "";
    size_t n = 12345;
    char *out = mail_message_render(m, &n, reason, sizeof reason);
    if (out) {
        free(out);
        fail_msg("render should have been refused");
    }
    assert_true(strlen(reason) > 0);
}

/* The header block (up to and including the CRLF that ends the last header), NUL-terminated. */
static char *headers_of(const char *msg)
{
    const char *end = strstr(msg, "\r\n\r\n");
    assert_non_null(end);
    size_t n = (size_t) (end - msg) + 2;
    char *h = malloc(n + 1);
    assert_non_null(h);
    memcpy(h, msg, n);
    h[n] = '\0';
    return h;
}

/* True when the header block holds this exact line (CRLF-terminated). */
static bool has_header_line(const char *msg, const char *line)
{
    char *h = headers_of(msg);
    char want[512];
    snprintf(want, sizeof want, "\r\n%s\r\n", line);
    bool found = strncmp(h, want + 2, strlen(want + 2)) == 0 || strstr(h, want) != NULL;
    free(h);
    return found;
}

static size_t base64_decode(const char *b64, size_t len, unsigned char *out, size_t cap)
{
    size_t n = 0;
    const char *end = NULL;
    if (sodium_base642bin(out, cap, b64, len, NULL, &n, &end, sodium_base64_VARIANT_ORIGINAL) != 0
        || end != b64 + len)
        fail_msg("not valid base64: %.*s", (int) len, b64);
    return n;
}

/* True when [s, s+n) is valid UTF-8 made of whole characters. */
static bool utf8_whole(const unsigned char *s, size_t n)
{
    size_t i = 0;
    while (i < n) {
        size_t len = s[i] < 0x80 ? 1 : (s[i] & 0xE0) == 0xC0 ? 2 : (s[i] & 0xF0) == 0xE0 ? 3
                   : (s[i] & 0xF8) == 0xF0 ? 4 : 0;
        if (len == 0 || i + len > n)
            return false;
        for (size_t k = 1; k < len; k++)
            if ((s[i + k] & 0xC0) != 0x80)
                return false;
        i += len;
    }
    return true;
}

/* The decoded base64 body following the part headers that start with `content_type_line`; body
 * lines end at an empty line, a boundary line or the end. Each body line must be at most 76 chars. */
static char *decoded_part(const char *msg, const char *content_type_line)
{
    const char *p = strstr(msg, content_type_line);
    assert_non_null(p);
    p = strstr(p, "\r\n\r\n");
    assert_non_null(p);
    p += 4;
    size_t cap = strlen(p) + 1;
    unsigned char *out = malloc(cap);
    assert_non_null(out);
    size_t n = 0;
    while (*p && strncmp(p, "\r\n", 2) != 0 && strncmp(p, "--", 2) != 0) {
        const char *eol = strstr(p, "\r\n");
        assert_non_null(eol);
        assert_true(eol - p <= 76);
        n += base64_decode(p, (size_t) (eol - p), out + n, cap - n);
        p = eol + 2;
    }
    out[n] = '\0';
    return (char *) out;
}

/* Decodes the Subject header's encoded words into out; returns the number of words. */
static int decode_subject_words(const char *msg, char *out, size_t cap, size_t *longest_line)
{
    char *h = headers_of(msg);
    const char *p = strstr(h, "\r\nSubject: ");
    assert_non_null(p);
    p += 2;
    size_t n = 0;
    int words = 0;
    *longest_line = 0;
    for (bool first = true; first || *p == ' '; first = false) {
        const char *eol = strstr(p, "\r\n");
        assert_non_null(eol);
        if ((size_t) (eol - p) > *longest_line)
            *longest_line = (size_t) (eol - p);
        const char *word = strstr(p, "=?UTF-8?B?");
        assert_true(word != NULL && word < eol);
        const char *b64 = word + 10, *close = strstr(b64, "?=");
        assert_true(close != NULL && close + 2 == eol);
        assert_true(close + 2 - word <= 75);   /* RFC 2047 limit for one encoded word */
        size_t got = base64_decode(b64, (size_t) (close - b64), (unsigned char *) out + n, cap - n);
        if (!utf8_whole((const unsigned char *) out + n, got))
            fail_msg("encoded word %d splits a UTF-8 character", words + 1);
        n += got;
        words++;
        p = eol + 2;
    }
    out[n] = '\0';
    free(h);
    return words;
}

static char *repeat(const char *piece, int times)
{
    size_t len = strlen(piece);
    char *s = malloc(len * (size_t) times + 1);
    assert_non_null(s);
    for (int i = 0; i < times; i++)
        memcpy(s + len * (size_t) i, piece, len);
    s[len * (size_t) times] = '\0';
    return s;
}

static void test_date_header_is_rfc5322(void **state)
{
    (void) state;
    mail_message_t m = base_message();
    char *msg = render_ok(&m, NULL);
    assert_true(has_header_line(msg, "Date: Wed, 26 Nov 2025 00:00:00 +0000"));
    free(msg);
    m.date_ms = DATE_MS + 999;   /* milliseconds do not round up */
    msg = render_ok(&m, NULL);
    assert_true(has_header_line(msg, "Date: Wed, 26 Nov 2025 00:00:00 +0000"));
    free(msg);
    m.date_ms = INT64_C(1717200000000);   /* date -u -d @1717200000: Sat, 01 Jun 2024 */
    msg = render_ok(&m, NULL);
    assert_true(has_header_line(msg, "Date: Sat, 01 Jun 2024 00:00:00 +0000"));
    free(msg);
}

/* RFC 8058: a follower's mail names its unsubscribe URL and says one POST is enough; other mail
 * has neither header, and a line break in the URL is header injection. */
static void test_one_click_unsubscribe_headers(void **state)
{
    (void) state;
    mail_message_t m = base_message();
    char *msg = render_ok(&m, NULL);
    assert_null(strstr(msg, "List-Unsubscribe"));
    free(msg);
    m.list_unsubscribe = "https://lapor.example.go.id/api/v1/followers/unsubscribe/abc";
    msg = render_ok(&m, NULL);
    assert_true(has_header_line(msg, "List-Unsubscribe: <https://lapor.example.go.id/api/v1/followers/unsubscribe/abc>"));
    assert_true(has_header_line(msg, "List-Unsubscribe-Post: List-Unsubscribe=One-Click"));
    free(msg);
    m.list_unsubscribe = "https://x.example/u\r\nBcc: someone@example.org";
    assert_render_refused(&m);
}

static void test_address_and_id_headers(void **state)
{
    (void) state;
    mail_message_t m = base_message();
    char *msg = render_ok(&m, NULL);
    assert_true(has_header_line(msg, "From: Aduan Kota <noreply@aduan.example>"));
    assert_true(has_header_line(msg, "To: warga@example.org"));
    assert_true(has_header_line(msg, "Message-ID: <0b7f4c1e-1c2d-4e5f-8a9b-0c1d2e3f4a5b@aduan>"));
    assert_true(has_header_line(msg, "MIME-Version: 1.0"));
    assert_true(has_header_line(msg, "Auto-Submitted: auto-generated"));
    free(msg);
}

static void test_every_line_ends_with_crlf(void **state)
{
    (void) state;
    mail_message_t m = base_message();
    m.text = "line one\nline two\r\nline three\n";
    m.html = "<p>a</p>\n<p>b</p>";
    m.subject = SUBJECT_PIECE SUBJECT_PIECE SUBJECT_PIECE;
    size_t size = 0;
    char *msg = render_ok(&m, &size);
    for (size_t i = 0; i < size; i++) {
        if (msg[i] == '\n')
            assert_true(i > 0 && msg[i - 1] == '\r');
        if (msg[i] == '\r')
            assert_true(msg[i + 1] == '\n');
    }
    assert_true(size >= 2 && msg[size - 2] == '\r' && msg[size - 1] == '\n');
    free(msg);
}

static void test_ascii_subject_written_as_is(void **state)
{
    (void) state;
    mail_message_t m = base_message();
    char *msg = render_ok(&m, NULL);
    assert_true(has_header_line(msg, "Subject: Laporan ADU-7K3Q diterima"));
    assert_null(strstr(msg, "=?UTF-8?"));
    free(msg);
}

static void test_utf8_subject_becomes_encoded_words(void **state)
{
    (void) state;
    mail_message_t m = base_message();
    m.subject = "Laporan \xe2\x80\x94 selesai \xe2\x9c\x93";
    char *msg = render_ok(&m, NULL);
    char decoded[256];
    size_t longest = 0;
    assert_int_equal(decode_subject_words(msg, decoded, sizeof decoded, &longest), 1);
    assert_string_equal(decoded, m.subject);
    free(msg);
}

static void test_long_utf8_subject_splits_on_character_boundaries(void **state)
{
    (void) state;
    mail_message_t m = base_message();
    char *subject = repeat(SUBJECT_PIECE, 8);
    m.subject = subject;
    char *msg = render_ok(&m, NULL);
    char decoded[1024];
    size_t longest = 0;
    assert_true(decode_subject_words(msg, decoded, sizeof decoded, &longest) >= 4);
    assert_string_equal(decoded, subject);
    free(msg);
    free(subject);
}

static void assert_subject_round_trips(const char *subject)
{
    mail_message_t m = base_message();
    m.subject = subject;
    char *msg = render_ok(&m, NULL);
    char decoded[2048];
    size_t longest = 0;
    decode_subject_words(msg, decoded, sizeof decoded, &longest);
    assert_string_equal(decoded, subject);
    free(msg);
}

static void test_word_boundaries_never_split_characters_at_any_offset(void **state)
{
    (void) state;
    /* Shifting the text by 0..29 ASCII bytes puts the 45-byte cut inside "—" or "✓" for some
     * shifts; 2-byte and 4-byte characters do not divide 45 evenly either. */
    char *pieces = repeat(SUBJECT_PIECE, 8);
    for (int shift = 0; shift < 30; shift++) {
        char subject[512];
        snprintf(subject, sizeof subject, "%.*s%s", shift, "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxx", pieces);
        assert_subject_round_trips(subject);
    }
    free(pieces);
    char *two = repeat("\xc3\xa9", 100);            /* é */
    char *four = repeat("\xf0\x9f\x98\x80", 50);   /* 😀 */
    assert_subject_round_trips(two);
    assert_subject_round_trips(four);
    free(two);
    free(four);
}

static void test_encoded_subject_lines_fit_76_chars(void **state)
{
    (void) state;
    /* RFC 2047 section 2: each line of a header field holding encoded words is at most 76
     * characters, the first one "Subject: " included. */
    mail_message_t m = base_message();
    char *subject = repeat(SUBJECT_PIECE, 8);
    m.subject = subject;
    char *msg = render_ok(&m, NULL);
    char decoded[1024];
    size_t longest = 0;
    decode_subject_words(msg, decoded, sizeof decoded, &longest);
    free(msg);
    free(subject);
    if (longest > 76)
        fail_msg("a Subject line holding encoded words is %zu characters long", longest);
}

static void test_very_long_ascii_subject_is_encoded(void **state)
{
    (void) state;
    mail_message_t m = base_message();
    char *subject = repeat("tindak lanjut ", 80);   /* 1120 chars: too long for one line */
    m.subject = subject;
    char *msg = render_ok(&m, NULL);
    char decoded[2048];
    size_t longest = 0;
    decode_subject_words(msg, decoded, sizeof decoded, &longest);
    assert_string_equal(decoded, subject);
    free(msg);
    free(subject);
}

static void test_html_makes_multipart_alternative(void **state)
{
    (void) state;
    mail_message_t m = base_message();
    m.text = "Teks biasa \xe2\x9c\x93";
    m.html = "<p>Teks <b>HTML</b> \xe2\x9c\x93</p>";
    char *msg = render_ok(&m, NULL);
    char *h = headers_of(msg);
    const char *ct = strstr(h, "\r\nContent-Type: multipart/alternative; boundary=\"");
    assert_non_null(ct);
    const char *b = ct + strlen("\r\nContent-Type: multipart/alternative; boundary=\"");
    char boundary[200], line[220];
    snprintf(boundary, sizeof boundary, "%.*s", (int) (strchr(b, '"') - b), b);
    free(h);
    snprintf(line, sizeof line, "\r\n--%s\r\n", boundary);
    const char *first = strstr(msg, line);
    assert_non_null(first);
    assert_non_null(strstr(first + 1, line));
    snprintf(line, sizeof line, "\r\n--%s--\r\n", boundary);
    assert_non_null(strstr(msg, line));
    const char *plain = strstr(msg, "Content-Type: text/plain; charset=UTF-8");
    const char *html = strstr(msg, "Content-Type: text/html; charset=UTF-8");
    assert_true(plain != NULL && html != NULL && plain < html);   /* preferred part last */
    free(msg);
}

static void test_multipart_parts_decode_to_originals(void **state)
{
    (void) state;
    mail_message_t m = base_message();
    char *text = repeat("Laporan \xe2\x80\x94 tindak lanjut \xe2\x9c\x93\n", 40);
    char *html = repeat("<p>Laporan &amp; <i>tindak</i> lanjut \xe2\x9c\x93</p>\n", 40);
    m.text = text;
    m.html = html;
    char *msg = render_ok(&m, NULL);
    char *got_text = decoded_part(msg, "Content-Type: text/plain; charset=UTF-8\r\n");
    char *got_html = decoded_part(msg, "Content-Type: text/html; charset=UTF-8\r\n");
    assert_string_equal(got_text, text);
    assert_string_equal(got_html, html);
    free(got_text);
    free(got_html);
    free(msg);
    free(text);
    free(html);
}

static void test_text_only_when_html_null_or_empty(void **state)
{
    (void) state;
    mail_message_t m = base_message();
    for (int i = 0; i < 2; i++) {
        m.html = i == 0 ? NULL : "";
        char *msg = render_ok(&m, NULL);
        assert_null(strstr(msg, "multipart"));
        assert_null(strstr(msg, "text/html"));
        assert_true(has_header_line(msg, "Content-Type: text/plain; charset=UTF-8"));
        assert_true(has_header_line(msg, "Content-Transfer-Encoding: base64"));
        char *got = decoded_part(msg, "Content-Type: text/plain; charset=UTF-8\r\n");
        assert_string_equal(got, m.text);
        free(got);
        free(msg);
    }
}

static void test_base64_body_lines_at_most_76(void **state)
{
    (void) state;
    mail_message_t m = base_message();
    char *text = repeat("0123456789 \xc3\xa9\xe2\x9c\x93 ", 100);
    m.text = text;
    char *msg = render_ok(&m, NULL);
    const char *body = strstr(msg, "\r\n\r\n") + 4;
    int lines = 0;
    for (const char *p = body; *p; lines++) {
        const char *eol = strstr(p, "\r\n");
        assert_non_null(eol);
        if (eol - p > 76)
            fail_msg("body line %d is %d chars", lines + 1, (int) (eol - p));
        p = eol + 2;
    }
    assert_true(lines > 10);
    char *got = decoded_part(msg, "Content-Type: text/plain; charset=UTF-8\r\n");
    assert_string_equal(got, text);
    free(got);
    free(msg);
    free(text);
}

static void test_line_break_in_a_header_is_refused(void **state)
{
    (void) state;
    mail_message_t m = base_message();
    m.to = "warga@example.org\r\nBcc: victim@example.org";
    assert_render_refused(&m);
    m = base_message();
    m.to = "warga@example.org\nBcc: victim@example.org";
    assert_render_refused(&m);
    m = base_message();
    m.from = "noreply@aduan.example\rX: y";
    assert_render_refused(&m);
    m = base_message();
    m.subject = "Halo\r\nBcc: victim@example.org";
    assert_render_refused(&m);
    m = base_message();
    m.subject = "Halo \xe2\x9c\x93\nX: y";
    assert_render_refused(&m);
    m = base_message();
    m.message_id = "id@aduan>\r\nX-Evil: 1";
    assert_render_refused(&m);
}

static void test_missing_text_or_address_is_refused(void **state)
{
    (void) state;
    mail_message_t m = base_message();
    m.text = NULL;
    assert_render_refused(&m);
    m = base_message();
    m.to = NULL;
    assert_render_refused(&m);
    m = base_message();
    m.from = NULL;
    assert_render_refused(&m);
    m = base_message();
    m.message_id = NULL;
    assert_render_refused(&m);
}

static void test_null_subject_gives_empty_subject(void **state)
{
    (void) state;
    mail_message_t m = base_message();
    m.subject = NULL;
    char *msg = render_ok(&m, NULL);
    assert_true(has_header_line(msg, "Subject: "));
    free(msg);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_date_header_is_rfc5322),
        cmocka_unit_test(test_address_and_id_headers),
        cmocka_unit_test(test_one_click_unsubscribe_headers),
        cmocka_unit_test(test_every_line_ends_with_crlf),
        cmocka_unit_test(test_ascii_subject_written_as_is),
        cmocka_unit_test(test_utf8_subject_becomes_encoded_words),
        cmocka_unit_test(test_long_utf8_subject_splits_on_character_boundaries),
        cmocka_unit_test(test_word_boundaries_never_split_characters_at_any_offset),
        cmocka_unit_test(test_encoded_subject_lines_fit_76_chars),
        cmocka_unit_test(test_very_long_ascii_subject_is_encoded),
        cmocka_unit_test(test_html_makes_multipart_alternative),
        cmocka_unit_test(test_multipart_parts_decode_to_originals),
        cmocka_unit_test(test_text_only_when_html_null_or_empty),
        cmocka_unit_test(test_base64_body_lines_at_most_76),
        cmocka_unit_test(test_line_break_in_a_header_is_refused),
        cmocka_unit_test(test_missing_text_or_address_is_refused),
        cmocka_unit_test(test_null_subject_gives_empty_subject),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
