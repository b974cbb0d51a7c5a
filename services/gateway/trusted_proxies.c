#include "trusted_proxies.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SEPARATORS ", \t"
#define V4_IN_V6_BITS 96

/* One item of the list, `len` bytes at `text`. */
static int parse_cidr(const char *text, size_t len, net_cidr_t *cidr)
{
    const char *slash = memchr(text, '/', len);
    size_t address_len = slash ? (size_t) (slash - text) : len;
    if (net_ip_parse(text, address_len, &cidr->address) != 0)
        return -1;
    unsigned family_bits = net_ip_is_v4(&cidr->address) ? 32 : 128;
    unsigned long bits = family_bits;
    if (slash) {
        char digits[4] = "";
        size_t n = len - address_len - 1;
        char *end = NULL;
        if (n == 0 || n >= sizeof digits)
            return -1;
        memcpy(digits, slash + 1, n);
        bits = strtoul(digits, &end, 10);
        if (*end || bits > family_bits)
            return -1;
    }
    cidr->prefix_bits = (unsigned) bits + (family_bits == 32 ? V4_IN_V6_BITS : 0);
    net_ip_mask(&cidr->address, cidr->prefix_bits);
    return 0;
}

int trusted_proxies_parse(const char *list, trusted_proxies_t *out, char *reason, size_t cap)
{
    out->count = 0;
    for (const char *p = list + strspn(list, SEPARATORS); *p; p += strspn(p, SEPARATORS)) {
        size_t len = strcspn(p, SEPARATORS);
        if (out->count == TRUSTED_PROXIES_MAX) {
            snprintf(reason, cap, "more than %d trusted proxies", TRUSTED_PROXIES_MAX);
            return -1;
        }
        if (parse_cidr(p, len, &out->items[out->count]) != 0) {
            snprintf(reason, cap, "trusted proxy '%.*s' is not an address or address/prefix", (int) len, p);
            return -1;
        }
        out->count++;
        p += len;
    }
    return 0;
}

bool trusted_proxies_contains(const trusted_proxies_t *self, const net_ip_t *ip)
{
    for (size_t i = 0; i < self->count; i++)
        if (net_ip_same_prefix(ip, &self->items[i].address, self->items[i].prefix_bits))
            return true;
    return false;
}

/* The entry that ends at `end` (exclusive) of `list`, trimmed: *start and its length. */
static size_t entry_before(const char *list, const char *end, const char **start)
{
    while (end > list && strchr(SEPARATORS, end[-1]))
        end--;
    const char *begin = end;
    while (begin > list && !strchr(SEPARATORS, begin[-1]))
        begin--;
    *start = begin;
    return (size_t) (end - begin);
}

net_ip_t trusted_proxies_client(const trusted_proxies_t *self, const net_ip_t *peer, const char *forwarded_for)
{
    net_ip_t client = *peer;
    const char *end = forwarded_for ? forwarded_for + strlen(forwarded_for) : NULL;
    while (end && trusted_proxies_contains(self, &client)) {
        const char *start;
        size_t len = entry_before(forwarded_for, end, &start);
        net_ip_t hop;
        if (len == 0 || net_ip_parse(start, len, &hop) != 0)
            break;
        client = hop;
        end = start;
    }
    return client;
}
