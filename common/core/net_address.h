#ifndef ADUAN_NET_ADDRESS_H
#define ADUAN_NET_ADDRESS_H
#include <netinet/in.h>
#include <stddef.h>

/* "127.0.0.1:8080" (or "localhost:8080", "0.0.0.0:8080") → an IPv4 socket address for the HTTP
 * listeners. -1 with a reason when it is not host:port. */
int net_address_parse(const char *host_port, struct sockaddr_in *address, char *reason, size_t reason_cap);

#endif
