#ifndef ADUAN_UTF8_TEXT_H
#define ADUAN_UTF8_TEXT_H
#include <stdbool.h>
#include <stddef.h>

/* Number of characters of `size` bytes of strictly valid UTF-8 (no overlongs, no surrogates, no NUL),
 * or -1 when the bytes are not that. */
long utf8_text_length(const char *text, size_t size);
/* Bytes of the longest prefix of `text` (valid UTF-8) within max_bytes that does not cut a
 * character in two: what fits in a fixed buffer and is still valid UTF-8. */
size_t utf8_text_prefix(const char *text, size_t max_bytes);
/* True when the text has no control characters; `multiline` allows \n, \r and \t. */
bool utf8_text_is_printable(const char *text, bool multiline);

#endif
