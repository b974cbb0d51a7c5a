#ifndef ADUAN_GATEWAY_INTAKE_LINK_H
#define ADUAN_GATEWAY_INTAKE_LINK_H
#include "envelope.h"

/* The gateway's command link to the intake replicas. HTTP requests are served by a pool of
 * threads and a command client is not thread-safe, so each thread gets its own client on first
 * use; it is destroyed when the thread ends. */
int intake_link_setup(const char *endpoints, int timeout_ms, int attempts);
void intake_link_teardown(void);

/* Sends `request` (its body set by the caller) and returns the reply, or NULL with a reason when
 * no replica answered in time. */
envelope_t *intake_link_call(const envelope_t *request, char *reason, size_t reason_cap);

#endif
