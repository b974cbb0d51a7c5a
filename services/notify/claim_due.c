#include "claim_due.h"

#include <stddef.h>
#include <string.h>

static const struct {
    const char *name;
    claim_channels_t bit;
} channels[] = {{"email", CLAIM_EMAIL}, {"webhook", CLAIM_WEBHOOK}, {"sms", CLAIM_SMS}};

static claim_channels_t channel_of(const char *name, size_t length)
{
    for (size_t i = 0; i < sizeof channels / sizeof channels[0]; i++)
        if (strlen(channels[i].name) == length && strncmp(channels[i].name, name, length) == 0)
            return channels[i].bit;
    return 0;
}

claim_channels_t claim_channel_of(const char *name)
{
    return name ? channel_of(name, strlen(name)) : 0;
}

claim_channels_t claim_channels_woken(const char *payload)
{
    if (!payload || !payload[0])
        return CLAIM_ALL;
    claim_channels_t named = 0;
    for (const char *at = payload;; at++) {
        size_t length = strcspn(at, ",");
        claim_channels_t bit = channel_of(at, length);
        if (!bit)
            return CLAIM_ALL;
        named |= bit;
        at += length;
        if (!*at)
            return named;
    }
}

claim_channels_t claim_channels_freed(const char *channel)
{
    claim_channels_t bit = claim_channel_of(channel);
    return bit & CLAIM_HTTP ? CLAIM_HTTP : bit;
}

/* A channel with nothing under way is claimed at once; so is a backlogged one with half its slots
 * free. The rest wait for the gathering. */
void claim_rounds_added(claim_rounds_t *self, claim_channels_t added, claim_channels_t busy)
{
    self->due |= added & ~busy;
    self->gathered |= added & busy;
}

void claim_rounds_freed(claim_rounds_t *self, claim_channels_t freed, claim_channels_t busy, claim_channels_t roomy)
{
    claim_channels_t now = freed & (~busy | (self->backlogged & roomy));
    self->due |= now;
    self->gathered |= freed & ~now;
}

void claim_rounds_poll(claim_rounds_t *self)
{
    self->due = CLAIM_ALL;
}

claim_channels_t claim_rounds_take(claim_rounds_t *self, int64_t now)
{
    if (self->gathered && now - self->last_round >= CLAIM_GATHER_MS)
        self->due |= self->gathered;
    claim_channels_t due = self->due;
    if (due) {
        self->gathered &= ~due;
        self->due = 0;
        self->last_round = now;
    }
    return due;
}

void claim_rounds_claimed(claim_rounds_t *self, claim_channels_t channel, bool more_due)
{
    if (more_due)
        self->backlogged |= channel;
    else
        self->backlogged &= ~channel;
}

int claim_rounds_wait_ms(const claim_rounds_t *self, int64_t now, int wait_ms)
{
    if (self->due)
        return 0;
    if (!self->gathered)
        return wait_ms;
    int64_t left = self->last_round + CLAIM_GATHER_MS - now;
    if (left < 0)
        return 0;
    return left < wait_ms ? (int) left : wait_ms;
}
