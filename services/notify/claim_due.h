#ifndef ADUAN_CLAIM_DUE_H
#define ADUAN_CLAIM_DUE_H

/* Which channels the sender claims from at its next round. A claim is a statement planned at
 * every call (about 1 ms of PostgreSQL's time), so a claim of a channel where nothing can be due is
 * that cost for nothing: at 460 submissions a second, two claims in three were of the webhook and
 * SMS channels, which had no rows (docs/performance.md). A channel is due when deliveries of it
 * were added (the wake-up names them), when a slot it may use came free, and at every poll (for
 * retries whose time came and leases that ran out). */
typedef enum {
    CLAIM_EMAIL = 1u << 0,
    CLAIM_WEBHOOK = 1u << 1,
    CLAIM_SMS = 1u << 2,
    CLAIM_HTTP = CLAIM_WEBHOOK | CLAIM_SMS,   /* the two share the HTTP slots */
    CLAIM_ALL = CLAIM_EMAIL | CLAIM_HTTP
} claim_channels_t;

/* The channel of that name (email, webhook, sms); 0 for another (the inbox is never claimed). */
claim_channels_t claim_channel_of(const char *name);

/* The channels a wake-up's payload names (comma-separated). An empty payload, or one with a name
 * this build does not know, says nothing of the channels: all of them. */
claim_channels_t claim_channels_woken(const char *payload);

/* The channels whose claims a finished attempt makes worth trying: its own slot came free, and an
 * HTTP slot serves both webhooks and SMS. */
claim_channels_t claim_channels_freed(const char *channel);

#endif
