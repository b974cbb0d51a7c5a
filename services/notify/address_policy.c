#include "address_policy.h"

#include <arpa/inet.h>
#include <curl/curl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* IPv4 ranges are written as IPv4-mapped IPv6 (::ffff:0:0/96 + the IPv4 prefix), so one table and
 * one comparison cover both families, and an IPv4 address hidden in IPv6 gets the IPv4 verdict. */
typedef struct {
    const char *prefix;
    int bits;
    const char *kind;
} refused_range_t;

static const refused_range_t refused[] = {
    {"::ffff:0.0.0.0", 104, "unspecified"},           /* 0.0.0.0/8, "this network" */
    {"::ffff:10.0.0.0", 104, "private"},
    {"::ffff:100.64.0.0", 106, "shared (CGNAT)"},
    {"::ffff:127.0.0.0", 104, "loopback"},
    {"::ffff:169.254.0.0", 112, "link-local"},        /* also cloud metadata, 169.254.169.254 */
    {"::ffff:172.16.0.0", 108, "private"},
    {"::ffff:192.0.0.0", 120, "reserved"},            /* IETF protocol assignments */
    {"::ffff:192.0.2.0", 120, "documentation"},
    {"::ffff:192.88.99.0", 120, "reserved"},          /* 6to4 relays */
    {"::ffff:192.168.0.0", 112, "private"},
    {"::ffff:198.18.0.0", 111, "reserved"},           /* benchmarking */
    {"::ffff:198.51.100.0", 120, "documentation"},
    {"::ffff:203.0.113.0", 120, "documentation"},
    {"::ffff:224.0.0.0", 100, "multicast"},
    {"::ffff:240.0.0.0", 100, "reserved"},            /* and the broadcast address */
    {"::", 128, "unspecified"},
    {"::1", 128, "loopback"},
    {"::", 96, "reserved"},                           /* IPv4-compatible, deprecated */
    {"64:ff9b:1::", 48, "private"},                   /* local-use NAT64 */
    {"100::", 64, "reserved"},                        /* discard only */
    {"2001::", 23, "reserved"},                       /* IETF protocol assignments, Teredo */
    {"2001:db8::", 32, "documentation"},
    {"2002::", 16, "reserved"},                       /* 6to4: carries any IPv4 address */
    {"fc00::", 7, "private"},                         /* unique local */
    {"fe80::", 10, "link-local"},
    {"fec0::", 10, "private"},                        /* site-local, deprecated */
    {"ff00::", 8, "multicast"},
};

/* The well-known NAT64 prefix: the IPv4 address in its last 32 bits is what is reached. */
static const unsigned char nat64[12] = {0x00, 0x64, 0xff, 0x9b};

static bool within(const unsigned char address[16], const unsigned char prefix[16], int bits)
{
    int bytes = bits / 8, rest = bits % 8;
    if (memcmp(address, prefix, (size_t) bytes) != 0)
        return false;
    unsigned char mask = (unsigned char) (0xff << (8 - rest));
    return rest == 0 || (address[bytes] & mask) == (prefix[bytes] & mask);
}

static const unsigned char ipv4_mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};

static void map_ipv4(const struct in_addr *v4, unsigned char out[16])
{
    memcpy(out, ipv4_mapped, sizeof ipv4_mapped);
    memcpy(out + 12, v4, 4);
}

/* The address as IPv6 (IPv4 mapped); false for another family. */
static bool as_ipv6(const struct sockaddr *address, unsigned char out[16])
{
    if (address->sa_family == AF_INET6)
        memcpy(out, &((const struct sockaddr_in6 *) (const void *) address)->sin6_addr, 16);
    else if (address->sa_family == AF_INET)
        map_ipv4(&((const struct sockaddr_in *) (const void *) address)->sin_addr, out);
    return address->sa_family == AF_INET6 || address->sa_family == AF_INET;
}

static const char *range_of(unsigned char address[16])
{
    if (memcmp(address, nat64, sizeof nat64) == 0)
        memcpy(address, ipv4_mapped, sizeof ipv4_mapped);
    unsigned char prefix[16];
    for (size_t i = 0; i < sizeof refused / sizeof refused[0]; i++)
        if (inet_pton(AF_INET6, refused[i].prefix, prefix) == 1 && within(address, prefix, refused[i].bits))
            return refused[i].kind;
    return NULL;
}

const char *address_policy_range(const struct sockaddr *address)
{
    unsigned char bytes[16];
    return as_ipv6(address, bytes) ? range_of(bytes) : "unknown family";
}

bool address_policy_allows(const address_policy_t *policy, const struct sockaddr *address)
{
    unsigned char bytes[16];
    if (!as_ipv6(address, bytes))
        return false;
    for (int i = 0; i < policy->allow_count; i++)
        if (within(bytes, policy->allow[i].prefix, policy->allow[i].bits))
            return true;
    return range_of(bytes) == NULL;
}

/* "a.b.c.d[/n]" or "v6[/n]" → a block; -1 when it is neither. */
static int parse_block(const char *text, address_block_t *block)
{
    char host[64];
    const char *slash = strchr(text, '/');
    size_t n = slash ? (size_t) (slash - text) : strlen(text);
    if (n == 0 || n >= sizeof host)
        return -1;
    memcpy(host, text, n);
    host[n] = '\0';
    struct in_addr v4;
    int max_bits = 128, offset = 0;
    if (inet_pton(AF_INET, host, &v4) == 1) {
        map_ipv4(&v4, block->prefix);
        max_bits = 32;
        offset = 96;
    } else if (inet_pton(AF_INET6, host, block->prefix) != 1) {
        return -1;
    }
    char *end = NULL;
    long bits = slash ? strtol(slash + 1, &end, 10) : max_bits;
    if (slash && (end == slash + 1 || *end || bits < 0 || bits > max_bits))
        return -1;
    block->bits = (int) bits + offset;
    return 0;
}

int address_policy_init(address_policy_t *policy, const char *allow_list, char *reason, size_t cap)
{
    memset(policy, 0, sizeof *policy);
    char *copy = strdup(allow_list ? allow_list : "");
    if (!copy)
        return snprintf(reason, cap, "out of memory"), -1;
    int rc = 0;
    char *saved = NULL;
    for (char *item = strtok_r(copy, ", \t", &saved); item && rc == 0; item = strtok_r(NULL, ", \t", &saved)) {
        if (policy->allow_count == ADDRESS_POLICY_ALLOW_MAX) {
            snprintf(reason, cap, "ADUAN_WEBHOOK_ALLOW lists more than %d blocks", ADDRESS_POLICY_ALLOW_MAX);
            rc = -1;
        } else if (parse_block(item, &policy->allow[policy->allow_count]) != 0) {
            snprintf(reason, cap, "ADUAN_WEBHOOK_ALLOW: '%.64s' is not an address or CIDR block", item);
            rc = -1;
        } else {
            policy->allow_count++;
        }
    }
    free(copy);
    return rc;
}

/* The URL's host without IPv6 brackets; -1 when the URL cannot be read. */
static int url_host(const char *url, char *host, size_t cap)
{
    CURLU *parsed = curl_url();
    char *text = NULL;
    int rc = -1;
    if (parsed && curl_url_set(parsed, CURLUPART_URL, url, 0) == CURLUE_OK
        && curl_url_get(parsed, CURLUPART_HOST, &text, 0) == CURLUE_OK) {
        size_t n = strlen(text);
        bool bracketed = n >= 2 && text[0] == '[' && text[n - 1] == ']';
        if (bracketed)
            text[n - 1] = '\0';
        rc = snprintf(host, cap, "%s", text + (bracketed ? 1 : 0)) < (int) cap ? 0 : -1;
    }
    curl_free(text);
    curl_url_cleanup(parsed);
    return rc;
}

int address_policy_check_url(const address_policy_t *policy, const char *url, char *reason, size_t cap)
{
    char host[256];
    if (url_host(url, host, sizeof host) != 0)
        return snprintf(reason, cap, "the URL has no host that can be read"), -1;
    struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM}, *found = NULL;
    if (getaddrinfo(host, NULL, &hints, &found) != 0)
        return 0;
    int rc = 0;
    for (const struct addrinfo *a = found; a && rc == 0; a = a->ai_next) {
        if (!address_policy_allows(policy, a->ai_addr)) {
            snprintf(reason, cap, "the host's address is %s: webhooks may not reach it",
                     address_policy_range(a->ai_addr));
            rc = 1;
        }
    }
    freeaddrinfo(found);
    return rc;
}
