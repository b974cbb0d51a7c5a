#ifndef ADUAN_GATEWAY_RATE_LIMITER_H
#define ADUAN_GATEWAY_RATE_LIMITER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Token buckets keyed by (kind, client), in a table of fixed size allocated once: a flood of new
 * clients evicts the buckets used least recently instead of growing memory. An evicted client
 * starts again with a full bucket, so the table must be large enough to hold every client that is
 * being limited at a time (ADUAN_RATE_CLIENTS). Thread-safe. */

#define RATE_CLIENT_MAX 80   /* bytes of a client key that count; longer keys are cut */

typedef struct {
    double per_minute;   /* tokens added per minute, > 0 */
    double burst;        /* the bucket's size, >= 1 */
} rate_rule_t;

typedef struct rate_limiter_t rate_limiter_t;

/* `rules[kind]` for kind 0..kinds-1; NULL when out of memory. */
rate_limiter_t *rate_limiter_new(size_t capacity, const rate_rule_t *rules, size_t kinds);
void rate_limiter_destroy(rate_limiter_t **self_p);

/* Takes a token from the bucket of (kind, client) at `now_ms` (a monotonic clock). True when there
 * was one; false with *retry_after_ms, the time until there is one again. */
bool rate_limiter_take(rate_limiter_t *self, size_t kind, const char *client, int64_t now_ms,
                       int64_t *retry_after_ms);

/* Buckets held now (at most the capacity). */
size_t rate_limiter_size(rate_limiter_t *self);

#endif
