#ifndef ADUAN_VERIFY_TRIGRAM_CACHE_H
#define ADUAN_VERIFY_TRIGRAM_CACHE_H

#include <stddef.h>
#include <stdint.h>

#include "trigram_set.h"

/* The trigram sets of recent reports by report id, so that the duplicate pre-check extracts each
 * report's trigrams once rather than once per later report it is compared with. A report's title
 * and body never change, so an entry never goes stale; the cache only spares work, a miss is read
 * from the database again. Bounded: `slots` entries (report ids map to a slot by id, so the
 * latest `slots` reports never evict each other) and at most `max_trigrams` trigrams in all
 * (4 bytes each), entries going in slot order when that is exceeded. One thread only. */
typedef struct trigram_cache_t trigram_cache_t;

/* NULL when out of memory. Trigrams are extracted by the C.UTF-8 locale's character classes until
 * trigram_cache_use_ctype says which the database's are. */
trigram_cache_t *trigram_cache_new(size_t slots, size_t max_trigrams);
void trigram_cache_destroy(trigram_cache_t **self_p);

/* Judges words by the database's LC_CTYPE `name` (pg_database.datctype), as pg_trgm does there:
 * "C" or "POSIX", or a locale installed here. 0, or -1 when it is not installed here: the cache
 * then keeps C.UTF-8, whose classes glibc's UTF-8 locales share except for language rules (a
 * Turkish dotted i). Empties the cache when the classes change. */
int trigram_cache_use_ctype(trigram_cache_t *self, const char *name);

/* The trigrams of `len` bytes of a report's text (title + ' ' + body), with the cache's locale:
 * the caller's to keep or put. NULL when out of memory. */
trigram_set_t *trigram_cache_extract(const trigram_cache_t *self, const char *text, size_t len);

/* The set of report `id`, NULL when not kept; valid until the next put. */
const trigram_set_t *trigram_cache_get(const trigram_cache_t *self, int64_t id);

/* Keeps *set_p as the set of report `id` (the cache owns it, *set_p becomes NULL), emptying its
 * slot and then others in turn while the trigrams held exceed the bound (a single larger set is
 * still kept, alone). */
void trigram_cache_put(trigram_cache_t *self, int64_t id, trigram_set_t **set_p);

/* Drops every set: a member idle after a burst gives their memory back (a later miss is read from
 * the database again). */
void trigram_cache_empty(trigram_cache_t *self);

/* Trigrams held in all, for tests of the bound. */
size_t trigram_cache_trigrams(const trigram_cache_t *self);

#endif
