#ifndef ADUAN_NET_ADDRESS_H
#define ADUAN_NET_ADDRESS_H
#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/socket.h>

/* "127.0.0.1:8080" (or "localhost:8080", "0.0.0.0:8080") → an IPv4 socket address for the HTTP
 * listeners. -1 with a reason when it is not host:port. */
int net_address_parse(const char *host_port, struct sockaddr_in *address, char *reason, size_t reason_cap);

/* An IPv4 or IPv6 address. IPv4 is held as IPv4-mapped IPv6 (::ffff:a.b.c.d), so that one
 * comparison and one prefix length serve both families. */
typedef struct {
    unsigned char bytes[16];
} net_ip_t;

#define NET_IP_TEXT_MAX INET6_ADDRSTRLEN

/* The first `len` bytes of text as an address ("192.0.2.1", "2001:db8::1"); -1 when they are not one. */
int net_ip_parse(const char *text, size_t len, net_ip_t *ip);
/* The address of a socket (AF_INET or AF_INET6); -1 for another family. */
int net_ip_from_sockaddr(const struct sockaddr *address, net_ip_t *ip);
/* As text: dotted quad for IPv4, RFC 5952 for IPv6. */
void net_ip_format(const net_ip_t *ip, char text[NET_IP_TEXT_MAX]);
bool net_ip_is_v4(const net_ip_t *ip);
/* True when the first `prefix_bits` (0..128) of both addresses are equal. */
bool net_ip_same_prefix(const net_ip_t *a, const net_ip_t *b, unsigned prefix_bits);
/* Keeps the first `prefix_bits` bits, clears the rest. */
void net_ip_mask(net_ip_t *ip, unsigned prefix_bits);

#endif
