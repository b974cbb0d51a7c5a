#include "zmq_endpoints.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int zmq_endpoints_attach(zsock_t *socket, const char *list, bool bind, char *reason, size_t cap)
{
    char *copy = strdup(list), *save = NULL;
    if (!copy) {
        snprintf(reason, cap, "out of memory");
        return -1;
    }
    int attached = 0;
    for (char *e = strtok_r(copy, ",", &save); e; e = strtok_r(NULL, ",", &save)) {
        while (*e == ' ')
            e++;
        if (!*e)
            continue;
        int rc = bind ? zsock_bind(socket, "%s", e) : zsock_connect(socket, "%s", e);
        if (rc < 0) {
            snprintf(reason, cap, "cannot %s %s: %s", bind ? "bind" : "connect to", e, zmq_strerror(zmq_errno()));
            attached = -1;
            break;
        }
        attached++;
    }
    free(copy);
    return attached;
}

/* tcp:// with a loopback host: 127.0.0.0/8 written as an address, ::1, or localhost. */
static bool is_loopback_tcp(const char *endpoint)
{
    static const char tcp[] = "tcp://";
    const char *host = endpoint + sizeof tcp - 1, *port = strrchr(endpoint, ':');
    if (strncmp(endpoint, tcp, sizeof tcp - 1) != 0 || !port || port < host)
        return false;
    char text[64];
    size_t n = (size_t) (port - host);
    if (n >= sizeof text)
        return false;
    memcpy(text, host, n);
    text[n] = '\0';
    struct in_addr v4;
    if (strcmp(text, "localhost") == 0 || strcmp(text, "[::1]") == 0)
        return true;
    return inet_pton(AF_INET, text, &v4) == 1 && (ntohl(v4.s_addr) >> 24) == 127;
}

static bool is_local(const char *endpoint)
{
    return strncmp(endpoint, "ipc://", 6) == 0 || strncmp(endpoint, "inproc://", 9) == 0
           || is_loopback_tcp(endpoint);
}

bool zmq_endpoints_all_local(const char *list)
{
    char *copy = strdup(list), *save = NULL;
    bool local = copy != NULL;
    for (char *e = copy ? strtok_r(copy, ",", &save) : NULL; local && e; e = strtok_r(NULL, ",", &save)) {
        while (*e == ' ')
            e++;
        local = !*e || is_local(e);
    }
    free(copy);
    return local;
}

static void reconnect_quickly(zsock_t *socket)
{
    zsock_set_reconnect_ivl(socket, 100);
    zsock_set_reconnect_ivl_max(socket, 1000);
}

void zmq_endpoints_keepalive(zsock_t *socket)
{
    zsock_set_heartbeat_ivl(socket, 1000);
    zsock_set_heartbeat_timeout(socket, 3000);
    reconnect_quickly(socket);
}

void zmq_endpoints_keepalive_queued(zsock_t *socket)
{
    zsock_set_tcp_keepalive(socket, 1);
    zsock_set_tcp_keepalive_idle(socket, 10);
    zsock_set_tcp_keepalive_intvl(socket, 2);
    zsock_set_tcp_keepalive_cnt(socket, 3);
    reconnect_quickly(socket);
}
