#include "trigram_set.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <wctype.h>

/* pg_trgm's padding of a word: two blanks before, one after (LPADDING, RPADDING). */
#define LEFT_PAD 2
#define RIGHT_PAD 1

struct trigram_set_t {
    size_t count;
    uint32_t trigrams[];
};

/* pg_utf_mblen: the length the lead byte announces, 1 for a byte that announces none. */
static size_t char_len(unsigned char lead)
{
    if ((lead & 0x80) == 0)
        return 1;
    if ((lead & 0xe0) == 0xc0)
        return 2;
    if ((lead & 0xf0) == 0xe0)
        return 3;
    if ((lead & 0xf8) == 0xf0)
        return 4;
    return 1;
}

static size_t char_len_within(const unsigned char *p, size_t left)
{
    size_t n = char_len(*p);
    return n < left ? n : left;
}

static wint_t decode(const unsigned char *p, size_t n)
{
    static const unsigned char lead_bits[] = {0, 0x7f, 0x1f, 0x0f, 0x07};
    wint_t c = p[0] & lead_bits[n];
    for (size_t i = 1; i < n; i++)
        c = (c << 6) | (p[i] & 0x3f);
    return c;
}

static size_t encode(wint_t c, unsigned char *out)
{
    if (c < 0x80) {
        out[0] = (unsigned char) c;
        return 1;
    }
    if (c < 0x800) {
        out[0] = (unsigned char) (0xc0 | (c >> 6));
        out[1] = (unsigned char) (0x80 | (c & 0x3f));
        return 2;
    }
    if (c < 0x10000) {
        out[0] = (unsigned char) (0xe0 | (c >> 12));
        out[1] = (unsigned char) (0x80 | ((c >> 6) & 0x3f));
        out[2] = (unsigned char) (0x80 | (c & 0x3f));
        return 3;
    }
    out[0] = (unsigned char) (0xf0 | (c >> 18));
    out[1] = (unsigned char) (0x80 | ((c >> 12) & 0x3f));
    out[2] = (unsigned char) (0x80 | ((c >> 6) & 0x3f));
    out[3] = (unsigned char) (0x80 | (c & 0x3f));
    return 4;
}

/* t_isalnum: a single byte by isalnum, a multibyte character by iswalnum of the ctype locale; in
 * the C ctype every byte by isalnum, so no multibyte character is part of a word. */
static int is_word_char(const unsigned char *p, size_t n, locale_t ctype)
{
    if (ctype == (locale_t) 0)
        return (*p >= '0' && *p <= '9') || ((*p | 0x20) >= 'a' && (*p | 0x20) <= 'z');
    if (n == 1)
        return isalnum_l(*p, ctype);
    return iswalnum_l(decode(p, n), ctype);
}

/* One entry of pg_crc32_table (the reflected CRC-32 table), computed where it is needed. */
static uint32_t crc_table_entry(uint32_t index)
{
    uint32_t c = index;
    for (int k = 0; k < 8; k++)
        c = (c & 1) ? 0xedb88320u ^ (c >> 1) : c >> 1;
    return c;
}

/* compact_trigram: three bytes as they are; a longer trigram as the first three bytes in memory
 * of its legacy CRC-32 (COMP_LEGACY_CRC32: the reflected table driven from the top byte). */
static uint32_t trigram_value(const unsigned char *p, size_t bytes)
{
    unsigned char b[4] = {0};
    if (bytes == 3)
        memcpy(b, p, 3);
    else {
        uint32_t crc = 0xffffffffu;
        for (size_t i = 0; i < bytes; i++)
            crc = crc_table_entry(((crc >> 24) ^ p[i]) & 0xff) ^ (crc << 8);
        crc ^= 0xffffffffu;
        memcpy(b, &crc, 3);
    }
    return (uint32_t) b[0] << 16 | (uint32_t) b[1] << 8 | b[2];
}

/* make_trigrams over a padded word of `bytes` bytes; `out` receives them, the count returned. The
 * buffer holds a byte past the padding, as the server's does. */
static size_t word_trigrams(const unsigned char *word, size_t bytes, size_t chars, uint32_t *out)
{
    if (chars < 3)
        return 0;
    size_t n = 0, at = 0;
    size_t first = char_len(word[0]);
    size_t middle = char_len(word[first]);
    size_t last = char_len(word[first + middle]);
    while (at + first + middle + last <= bytes) {
        out[n++] = trigram_value(word + at, first + middle + last);
        at += first;
        first = middle;
        middle = last;
        last = char_len(word[at + first + middle]);
    }
    return n;
}

/* lowerstr_with_len: each character towlower'ed (the C ctype: each ASCII byte tolower'ed), written
 * after the left padding. */
static size_t lower_word(const unsigned char *word, size_t bytes, locale_t ctype, unsigned char *out)
{
    if (ctype == (locale_t) 0) {
        for (size_t i = 0; i < bytes; i++)
            out[i] = word[i] >= 'A' && word[i] <= 'Z' ? (unsigned char) (word[i] + ('a' - 'A')) : word[i];
        return bytes;
    }
    size_t n = 0;
    for (size_t at = 0; at < bytes;) {
        size_t len = char_len_within(word + at, bytes - at);
        n += encode(towlower_l(decode(word + at, len), ctype), out + n);
        at += len;
    }
    return n;
}

static int compare_trigrams(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *) a, y = *(const uint32_t *) b;
    return (x > y) - (x < y);
}

static size_t sort_unique(uint32_t *t, size_t n)
{
    if (n < 2)
        return n;
    qsort(t, n, sizeof *t, compare_trigrams);
    size_t kept = 1;
    for (size_t i = 1; i < n; i++)
        if (t[i] != t[kept - 1])
            t[kept++] = t[i];
    return kept;
}

/* find_word + generate_trgm_only: every word of the text, its trigrams appended to set. */
static void extract(trigram_set_t *set, const unsigned char *text, size_t len, locale_t ctype, unsigned char *buf)
{
    memset(buf, ' ', LEFT_PAD);
    for (size_t at = 0; at < len;) {
        size_t clen = char_len_within(text + at, len - at);
        if (!is_word_char(text + at, clen, ctype)) {
            at += clen;
            continue;
        }
        size_t begin = at, chars = 0;
        while (at < len && is_word_char(text + at, clen = char_len_within(text + at, len - at), ctype)) {
            at += clen;
            chars++;
        }
        size_t bytes = lower_word(text + begin, at - begin, ctype, buf + LEFT_PAD);
        memset(buf + LEFT_PAD + bytes, ' ', 2);
        buf[LEFT_PAD + bytes + 2] = '\0';
        set->count += word_trigrams(buf, LEFT_PAD + bytes + RIGHT_PAD, chars + LEFT_PAD + RIGHT_PAD,
                                    set->trigrams + set->count);
    }
}

trigram_set_t *trigram_set_new(const char *text, size_t len, locale_t ctype)
{
    /* a word of n characters gives n + 1 trigrams; a lower-cased character takes at most 4 bytes */
    trigram_set_t *set = malloc(sizeof *set + (2 * len + 1) * sizeof(uint32_t));
    unsigned char *buf = malloc(4 * len + LEFT_PAD + 8);
    if (!set || !buf) {
        free(set);
        free(buf);
        return NULL;
    }
    set->count = 0;
    extract(set, (const unsigned char *) text, len, ctype, buf);
    free(buf);
    set->count = sort_unique(set->trigrams, set->count);
    trigram_set_t *fitted = realloc(set, sizeof *set + set->count * sizeof(uint32_t));
    return fitted ? fitted : set;
}

void trigram_set_destroy(trigram_set_t **self_p)
{
    if (self_p && *self_p) {
        free(*self_p);
        *self_p = NULL;
    }
}

size_t trigram_set_size(const trigram_set_t *self)
{
    return self->count;
}

const uint32_t *trigram_set_values(const trigram_set_t *self)
{
    return self->trigrams;
}

/* cnt_sml with DIVUNION: both sets sorted and unique, shared ones counted in one merge. */
float trigram_set_similarity(const trigram_set_t *a, const trigram_set_t *b)
{
    if (a->count == 0 || b->count == 0)
        return 0.0f;
    size_t i = 0, j = 0, shared = 0;
    while (i < a->count && j < b->count) {
        if (a->trigrams[i] < b->trigrams[j])
            i++;
        else if (a->trigrams[i] > b->trigrams[j])
            j++;
        else {
            shared++;
            i++;
            j++;
        }
    }
    return (float) shared / (float) (a->count + b->count - shared);
}
