#ifndef ADUAN_GATEWAY_REQUEST_LIMITS_H
#define ADUAN_GATEWAY_REQUEST_LIMITS_H

#include <stdbool.h>

#include "config.h"
#include "http_reply.h"

/* Per-client rate limits of the gateway (docs/operations.md, "Limits"): for each kind of request
 * that costs the system work on behalf of someone who need not sign in, a token bucket per client
 * address and one per account. The client address is the peer's, or what X-Forwarded-For says
 * when the peer is a trusted proxy (ADUAN_TRUSTED_PROXIES); IPv6 clients count per /64, the
 * smallest block a single customer is usually given. */

typedef enum {
    RATE_SIGN_IN,       /* POST /sessions; account: the username */
    RATE_SUBMISSION,    /* POST /reports */
    RATE_REPORTER,      /* a reporter's actions and notification settings; account: the report */
    RATE_SURVEY,        /* POST /surveys, POST /reports/{id}/survey; account: the report */
    RATE_OPEN311,       /* POST /open311/v2/requests; account: the app of the API key */
    RATE_SUPPORT,       /* POST /reports/{id}/support ("dukung"); per address only */
    RATE_FOLLOW,        /* following a report: asking, confirming, unsubscribing; per address only */
    RATE_REPORTER_CODE, /* POST /reporter/codes and /reporter/sessions ("my reports"); account: the contact */
    RATE_KIND_COUNT
} rate_kind_t;

/* Reads the ADUAN_RATE_* settings and ADUAN_TRUSTED_PROXIES; -1 with a reason when one is invalid or out of memory. */
int request_limits_setup(const config_t *config, char *reason, size_t reason_cap);
void request_limits_teardown(void);

/* Takes a token from the client address's bucket of `kind` and, when `account` is given, from the
 * account's. True when the request may go on; false with 429 (Retry-After) sent in *rc. */
bool request_limits_admit(struct MHD_Connection *c, request_t *req, rate_kind_t kind, const char *account,
                          enum MHD_Result *rc);

#endif
