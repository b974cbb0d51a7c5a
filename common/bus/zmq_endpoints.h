#ifndef ADUAN_ZMQ_ENDPOINTS_H
#define ADUAN_ZMQ_ENDPOINTS_H
#include <czmq.h>
#include <stdbool.h>

/* Connects (or binds) `socket` to every endpoint of a comma-separated list
 * ("tcp://a:7101, tcp://b:7101"): one per replica. Returns how many, or -1 with the reason of the
 * first that failed; an empty list is 0. */
int zmq_endpoints_attach(zsock_t *socket, const char *list, bool bind, char *reason, size_t reason_cap);

/* Whether every endpoint of the list stays on this machine: ipc://, inproc://, or tcp:// on a
 * loopback address (127.0.0.0/8, ::1, localhost). An empty list is local. */
bool zmq_endpoints_all_local(const char *list);

/* The link settings every long-lived socket of aduan uses: ZMTP heartbeats (1 s, dead after 3 s)
 * so a vanished peer is noticed, and quick reconnects (100 ms, backing off to 1 s). */
void zmq_endpoints_keepalive(zsock_t *socket);

#endif
