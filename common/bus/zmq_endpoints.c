#include "zmq_endpoints.h"

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

void zmq_endpoints_keepalive(zsock_t *socket)
{
    zsock_set_heartbeat_ivl(socket, 1000);
    zsock_set_heartbeat_timeout(socket, 3000);
    zsock_set_reconnect_ivl(socket, 100);
    zsock_set_reconnect_ivl_max(socket, 1000);
}
