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
