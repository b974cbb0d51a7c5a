#ifndef ADUAN_VERIFY_PRECHECKS_H
#define ADUAN_VERIFY_PRECHECKS_H

#include <stdint.h>

#include "db.h"

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
 * Thresholds and words are data (lifecycle_settings, abuse_words). Recording twice keeps the first
 * result, so a replayed event changes nothing. 0 on success. */
int prechecks_record(db_t *db, const char *tracking_id, int64_t now_ms, db_error_t *error);

/* Its statement ($1 tracking id, $2 time in ms), for tests that check its plan. */
extern const char prechecks_record_sql[];

#endif
