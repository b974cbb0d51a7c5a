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
