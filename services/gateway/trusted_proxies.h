#ifndef ADUAN_GATEWAY_TRUSTED_PROXIES_H
#define ADUAN_GATEWAY_TRUSTED_PROXIES_H

#include <stdbool.h>
#include <stddef.h>

#include "net_address.h"

/* Which peers may say who the client is (ADUAN_TRUSTED_PROXIES). X-Forwarded-For is anyone's to
 * write, so it counts only when the connecting peer is one of our proxies, and then only as far
 * as our proxies wrote it: the client is the right-most address that is not a trusted proxy. */

#define TRUSTED_PROXIES_MAX 64

typedef struct {
    net_ip_t address;
    unsigned prefix_bits;   /* of the IPv6 form: an IPv4 /24 is 120 */
} net_cidr_t;

typedef struct {
    net_cidr_t items[TRUSTED_PROXIES_MAX];
    size_t count;
} trusted_proxies_t;

/* "10.0.0.0/8, 192.0.2.7, 2001:db8::/32" (commas and/or spaces; "" = none). -1 with a reason
 * when an item is not an address or CIDR, or there are more than TRUSTED_PROXIES_MAX. */
int trusted_proxies_parse(const char *list, trusted_proxies_t *out, char *reason, size_t reason_cap);

bool trusted_proxies_contains(const trusted_proxies_t *self, const net_ip_t *ip);

/* The client of a request that came from `peer` with X-Forwarded-For `forwarded_for` (all its
 * headers joined by commas in order; NULL when absent). An entry that is not an address ends the
 * walk: the last trusted hop before it is then the client. */
net_ip_t trusted_proxies_client(const trusted_proxies_t *self, const net_ip_t *peer, const char *forwarded_for);

#endif
