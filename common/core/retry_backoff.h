#ifndef ADUAN_RETRY_BACKOFF_H
#define ADUAN_RETRY_BACKOFF_H

#include <stdint.h>

/* The wait before trying a failed delivery again (a notification, a report forwarded upstream):
 * doubling from base_ms with each failed attempt, never above cap_ms, and "equal jitter" (half
 * fixed, half random) so that deliveries that failed together — a receiver that was down — do not
 * all come back in the same instant, while none comes back sooner than half its step. `random` is
 * a uniformly random 32-bit number. */
int64_t retry_backoff_ms(int failed_attempts, int64_t base_ms, int64_t cap_ms, uint32_t random);

#endif
