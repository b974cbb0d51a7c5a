#ifndef ADUAN_VERIFY_TRIGRAM_SET_H
#define ADUAN_VERIFY_TRIGRAM_SET_H

#include <locale.h>
#include <stddef.h>
#include <stdint.h>

/* The trigrams of a text exactly as PostgreSQL 15's pg_trgm extracts them for similarity(), so the
 * duplicate pre-check can compare texts in aduan-verify instead of in the database and give the
 * same scores: words are runs of alphanumeric characters (multibyte ones by iswalnum of the
 * database's UTF-8 ctype locale, single bytes by ASCII), lower-cased (towlower), padded "  word ",
 * every three consecutive characters one trigram; a trigram of more than three bytes is stored as
 * three bytes of pg_trgm's legacy CRC-32 of it, as the server does (same byte order: the same
 * machine architecture). The set is sorted and unique. */
typedef struct trigram_set_t trigram_set_t;

/* The trigrams of `len` bytes of valid UTF-8 `text`, words judged with `ctype`: the database's
 * LC_CTYPE locale (C.UTF-8 for aduan's clusters), or (locale_t) 0 for a database whose LC_CTYPE is
 * C or POSIX (words of ASCII letters and digits only). NULL when out of memory. */
trigram_set_t *trigram_set_new(const char *text, size_t len, locale_t ctype);
void trigram_set_destroy(trigram_set_t **self_p);

size_t trigram_set_size(const trigram_set_t *self);

/* Its trigrams in ascending order, each three bytes as one number (first byte highest: the
 * number pg_trgm's show_trgm() prints in hexadecimal for a trigram it cannot print as text). */
const uint32_t *trigram_set_values(const trigram_set_t *self);

/* pg_trgm's similarity(): shared / (|a| + |b| - shared) in single precision, 0 when either set is
 * empty. */
float trigram_set_similarity(const trigram_set_t *a, const trigram_set_t *b);

#endif
