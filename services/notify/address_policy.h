#ifndef ADUAN_NOTIFY_ADDRESS_POLICY_H
#define ADUAN_NOTIFY_ADDRESS_POLICY_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/socket.h>

/* Where webhooks may not go (a guard against server-side request forgery): an admin registers the
 * URL, and aduan-notify makes the request from inside the operator's network, so a URL naming a
 * loopback, private, link-local (cloud metadata at 169.254.169.254), shared (CGNAT), multicast,
 * unspecified, reserved or documentation address — IPv4, IPv6, or IPv4 inside IPv6 — is refused,
 * unless the operator's allow-list (ADUAN_WEBHOOK_ALLOW: CIDRs) names it. The check is made when a
 * URL is registered (every address its host resolves to) and again on the address each request
 * actually connects to, so a name that later resolves elsewhere (DNS rebinding) is refused too. */

#define ADDRESS_POLICY_ALLOW_MAX 32

typedef struct {
    unsigned char prefix[16];     /* IPv6; IPv4 as ::ffff:a.b.c.d */
    int bits;
} address_block_t;

typedef struct {
    address_block_t allow[ADDRESS_POLICY_ALLOW_MAX];
    int allow_count;
} address_policy_t;

/* Reads the allow-list: CIDRs (or single addresses) separated by commas, e.g.
 * "10.20.0.0/16, 127.0.0.1/32, fd00::/8"; "" allows nothing extra. 0, or -1 with a reason. */
int address_policy_init(address_policy_t *policy, const char *allow_list, char *reason, size_t reason_cap);

/* The kind of address ("loopback", "private", ...) when it is one webhooks may not reach by
 * default; NULL for a public address. */
const char *address_policy_range(const struct sockaddr *address);

/* True when a request may connect to the address: a public one, or one the allow-list names. */
bool address_policy_allows(const address_policy_t *policy, const struct sockaddr *address);

/* The registration check of a webhook URL (http:// or https://): 0 when every address its host
 * resolves to is allowed, or when it does not resolve now (the connect-time check still applies);
 * 1 refused, with the kind of address in `reason`; -1 when the URL cannot be read. */
int address_policy_check_url(const address_policy_t *policy, const char *url, char *reason, size_t reason_cap);

#endif
