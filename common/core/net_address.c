#include "net_address.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int net_address_parse(const char *host_port, struct sockaddr_in *address, char *reason, size_t cap)
{
    const char *colon = strrchr(host_port, ':');
    char host[64];
    char *end = NULL;
    long port = colon ? strtol(colon + 1, &end, 10) : -1;
    if (!colon || (size_t) (colon - host_port) >= sizeof host || !end || end == colon + 1 || *end
        || port < 0 || port > 65535) {
        snprintf(reason, cap, "address '%s' is not host:port", host_port);
        return -1;
    }
    memcpy(host, host_port, (size_t) (colon - host_port));
    host[colon - host_port] = '\0';
    memset(address, 0, sizeof *address);
    address->sin_family = AF_INET;
    address->sin_port = htons((uint16_t) port);
    if (inet_pton(AF_INET, strcmp(host, "localhost") == 0 ? "127.0.0.1" : host, &address->sin_addr) != 1) {
        snprintf(reason, cap, "address '%s': host must be an IPv4 address", host_port);
        return -1;
    }
    return 0;
}

static const unsigned char v4_mapped_prefix[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};

static void set_v4(net_ip_t *ip, const void *v4)
{
    memcpy(ip->bytes, v4_mapped_prefix, sizeof v4_mapped_prefix);
    memcpy(ip->bytes + sizeof v4_mapped_prefix, v4, 4);
}

int net_ip_parse(const char *text, size_t len, net_ip_t *ip)
{
    char copy[NET_IP_TEXT_MAX];
    struct in_addr v4;
    if (len == 0 || len >= sizeof copy)
        return -1;
    memcpy(copy, text, len);
    copy[len] = '\0';
    if (inet_pton(AF_INET, copy, &v4) == 1) {
        set_v4(ip, &v4);
        return 0;
    }
    return inet_pton(AF_INET6, copy, ip->bytes) == 1 ? 0 : -1;
}

int net_ip_from_sockaddr(const struct sockaddr *address, net_ip_t *ip)
{
    if (address->sa_family == AF_INET) {
        const struct sockaddr_in *in4 = (const struct sockaddr_in *) address;
        set_v4(ip, &in4->sin_addr);
        return 0;
    }
    if (address->sa_family == AF_INET6) {
        const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *) address;
        memcpy(ip->bytes, &in6->sin6_addr, sizeof ip->bytes);
        return 0;
    }
    return -1;
}

bool net_ip_is_v4(const net_ip_t *ip)
{
    return memcmp(ip->bytes, v4_mapped_prefix, sizeof v4_mapped_prefix) == 0;
}

void net_ip_format(const net_ip_t *ip, char text[NET_IP_TEXT_MAX])
{
    if (net_ip_is_v4(ip))
        inet_ntop(AF_INET, ip->bytes + sizeof v4_mapped_prefix, text, NET_IP_TEXT_MAX);
    else
        inet_ntop(AF_INET6, ip->bytes, text, NET_IP_TEXT_MAX);
}

bool net_ip_same_prefix(const net_ip_t *a, const net_ip_t *b, unsigned prefix_bits)
{
    net_ip_t x = *a, y = *b;
    net_ip_mask(&x, prefix_bits);
    net_ip_mask(&y, prefix_bits);
    return memcmp(x.bytes, y.bytes, sizeof x.bytes) == 0;
}

void net_ip_mask(net_ip_t *ip, unsigned prefix_bits)
{
    for (unsigned i = 0; i < sizeof ip->bytes; i++) {
        unsigned kept = prefix_bits > i * 8 ? prefix_bits - i * 8 : 0;
        ip->bytes[i] &= kept >= 8 ? 0xff : (unsigned char) (0xff00u >> kept);
    }
}
