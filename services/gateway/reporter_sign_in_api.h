#ifndef ADUAN_GATEWAY_REPORTER_SIGN_IN_API_H
#define ADUAN_GATEWAY_REPORTER_SIGN_IN_API_H
#include "http_reply.h"

/* /api/v1/reporter/...: "my reports" (docs/api.md, "A reporter's own reports"). A reporter asks
 * for a one-time code (POST codes: intake issues it, the gateway hands it to notify without
 * waiting, notify sends it), trades it for a session (POST sessions), then lists the contact's
 * reports (GET reports) and recovers a lost reporter token (POST reports/{tracking_id}/token),
 * the session as Authorization: Bearer. Codes and sign-ins are rate-limited per client address
 * and per contact (RATE_REPORTER_CODE). */
http_route_fn reporter_sign_in_api_route;

#endif
