#ifndef ADUAN_CLAIM_DUE_H
#define ADUAN_CLAIM_DUE_H

#include <stdbool.h>
#include <stdint.h>

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

/* When the due channels are claimed. At a steady 500 submissions a second most claims took one
 * row: every finished attempt and every wake-up claimed at once, 4 400 claims for 6 200 attempts in
 * 30 s, each planned, and the sender's one thread waited for each (docs/performance.md, stop 42).
 * So a channel made due while it has attempts under way is gathered: claimed at the first round
 * CLAIM_GATHER_MS or more after the previous one, and one claim takes what several would have.
 * Two exceptions: a channel with nothing under way is claimed at once (a first delivery does not
 * wait), and a channel with a backlog (its last claim left due deliveries for want of room) once
 * half its slots are free, since a longer wait would leave them idle. */
#define CLAIM_GATHER_MS 25

typedef struct {
    claim_channels_t due;          /* claimed at the next round */
    claim_channels_t gathered;     /* claimed at the first round after the gathering */
    claim_channels_t backlogged;   /* the channel's last claim left due deliveries behind */
    int64_t last_round;            /* when the last round claimed (monotonic ms) */
} claim_rounds_t;

/* Deliveries of the channels `added` were added; busy: the channels with attempts under way. */
void claim_rounds_added(claim_rounds_t *self, claim_channels_t added, claim_channels_t busy);

/* An attempt finished, freeing a slot of the channels `freed` (claim_channels_freed); busy as above
 * and roomy, the channels with at least half their slots free, counted after it finished. */
void claim_rounds_freed(claim_rounds_t *self, claim_channels_t freed, claim_channels_t busy, claim_channels_t roomy);

/* Every channel, at the sender's regular poll (retries whose time came, leases that ran out). */
void claim_rounds_poll(claim_rounds_t *self);

/* The channels to claim from now (0 for none), their round recorded at `now`. */
claim_channels_t claim_rounds_take(claim_rounds_t *self, int64_t now);

/* A claim of `channel` left due deliveries it had no room for (more_due), or none. */
void claim_rounds_claimed(claim_rounds_t *self, claim_channels_t channel, bool more_due);

/* How long the sender may wait for its transfers before the next round is due, at most wait_ms. */
int claim_rounds_wait_ms(const claim_rounds_t *self, int64_t now, int wait_ms);

#endif
