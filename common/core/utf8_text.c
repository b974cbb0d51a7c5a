#include "utf8_text.h"

#include <string.h>

/* Length of the sequence starting with `lead`, or 0 for a byte that cannot start one. */
static int sequence_length(unsigned char lead)
{
    if (lead < 0x80)
        return 1;
    if (lead >= 0xc2 && lead <= 0xdf)
        return 2;
    if (lead >= 0xe0 && lead <= 0xef)
        return 3;
    if (lead >= 0xf0 && lead <= 0xf4)
        return 4;
    return 0;
}

/* Second-byte ranges that exclude overlongs, surrogates and code points above U+10FFFF. */
static int second_byte_ok(unsigned char lead, unsigned char second)
{
    if (lead == 0xe0)
        return second >= 0xa0 && second <= 0xbf;
    if (lead == 0xed)
        return second >= 0x80 && second <= 0x9f;
    if (lead == 0xf0)
        return second >= 0x90 && second <= 0xbf;
    if (lead == 0xf4)
        return second >= 0x80 && second <= 0x8f;
    return second >= 0x80 && second <= 0xbf;
}

long utf8_text_length(const char *text, size_t size)
{
    const unsigned char *p = (const unsigned char *) text;
    long characters = 0;
    size_t i = 0;
    while (i < size) {
        int length = sequence_length(p[i]);
        if (length == 0 || p[i] == 0 || size - i < (size_t) length)
            return -1;
        if (length > 1 && !second_byte_ok(p[i], p[i + 1]))
            return -1;
        for (int k = 2; k < length; k++)
            if ((p[i + k] & 0xc0) != 0x80)
                return -1;
        i += (size_t) length;
        characters++;
    }
    return characters;
}

size_t utf8_text_prefix(const char *text, size_t max_bytes)
{
    size_t n = strlen(text);
    if (n <= max_bytes)
        return n;
    size_t cut = max_bytes;
    while (cut > 0 && ((unsigned char) text[cut] & 0xc0) == 0x80)   /* text[cut] continues a character */
        cut--;
    return cut;
}

bool utf8_text_is_printable(const char *text, bool multiline)
{
    for (const unsigned char *p = (const unsigned char *) text; *p; p++) {
        if (*p >= 0x20 && *p != 0x7f)
            continue;
        if (multiline && (*p == '\n' || *p == '\r' || *p == '\t'))
            continue;
        return false;
    }
    return true;
}
