#ifndef ADUAN_VERIFY_PRECHECKS_H
#define ADUAN_VERIFY_PRECHECKS_H

#include <stddef.h>
#include <stdint.h>

#include "db.h"

/* The pre-checks of one consumer: the trigrams of recent reports (trigram_cache.h) and the
 * database's character classes. One thread only. */
typedef struct prechecks_t prechecks_t;

/* NULL when out of memory or without the C.UTF-8 locale. */
prechecks_t *prechecks_new(size_t slots, size_t max_trigrams);
void prechecks_destroy(prechecks_t **self_p);

/* The automatic pre-checks of a new report, recorded for the verification desk:
 *   missing — what a verifier will likely have to ask for: body shorter than the setting
 *             complete_body_min_chars, no incident date, no location (address or coordinates),
 *             no way to reach a named reporter;
 *   abuse_words — words of the abuse_words table in title or body (whole words, any case);
 *   possible_duplicates — reports of the same region and category submitted within
 *             duplicate_window_days before it whose title + body are at least
 *             duplicate_similarity alike (pg_trgm), the most similar first, at most 5, chosen
 *             among the latest 50 of that region, category and window (a bounded cost, however
 *             large a surge of near-duplicates grows).
 * With them the report's text is copied for the staff search (report_search.h).
 * Thresholds and words are data (lifecycle_settings, abuse_words). Recording twice keeps the first
 * result, so a replayed event changes nothing. The likeness is pg_trgm's similarity() computed here
 * (trigram_set.h), the candidates' trigrams kept. 0 on success (also when there is
 * no such report), -1 with the error. */
int prechecks_record(prechecks_t *self, db_t *db, const char *tracking_id, int64_t now_ms, db_error_t *error);

/* Records the pre-checks of a run of reports, inside the run's transaction: reads what they need in
 * two statements (their candidates; the texts of candidates whose trigrams are not kept), scores
 * them, and sends the run's rows as one statement, deferred (db_defer: its failure fails the
 * transaction). prechecks_record of each of them, in this order, then only keeps its trigrams for
 * the reports after it; a report recorded without this is read and recorded alone. 0, or -1
 * with the error. */
int prechecks_run_start(prechecks_t *self, db_t *db, const char *const *tracking_ids, size_t count, int64_t now_ms,
                        db_error_t *error);

/* Drops the kept trigrams (trigram_cache_empty), for a member idle after a burst: the candidates of
 * the reports after it are read from the database again. */
void prechecks_forget(prechecks_t *self);

/* Its statements, for tests that check their plans: the candidates ($1 tracking ids, text[]) and the
 * insert ($1 report ids, $2..$4 the missing fields', abuse words' and duplicates' text[] literals,
 * $5 time in ms). */
extern const char prechecks_candidates_sql[];
extern const char prechecks_insert_sql[];

#endif
