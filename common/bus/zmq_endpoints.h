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

/* The link settings of the command links (cmd_client, cmd_server): ZMTP heartbeats (1 s, dead
 * after 3 s) so a vanished peer is noticed, and quick reconnects (100 ms, backing off to 1 s). */
void zmq_endpoints_keepalive(zsock_t *socket);

/* For a socket whose queue a slow reader lets fill (the event stream's SUB): TCP keepalive (dead
 * after 10 s of silence and 3 unanswered probes 2 s apart) instead of ZMTP heartbeats, and the same
 * quick reconnects. A ZMTP link whose input stopped at the high-water mark cannot read the answers
 * to its pings: the time-out dropped and reconnected it, losing its queue, and libzmq 4.3.4 may
 * then abort the process (libzmq issue 3937). The kernel answers TCP probes whatever the reader does. */
void zmq_endpoints_keepalive_queued(zsock_t *socket);

#endif
