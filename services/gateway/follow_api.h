#ifndef ADUAN_GATEWAY_FOLLOW_API_H
#define ADUAN_GATEWAY_FOLLOW_API_H
#include "http_reply.h"

/* Following a public report by e-mail (docs/api.md "Following a report"), asked of aduan-notify,
 * which owns the followers:
 *   POST /api/v1/reports/{tracking_id}/followers  {"email", "language"?}  → 202 pending
 *   POST /api/v1/followers/confirm                {"token"}              → 200 confirmed
 *   POST /api/v1/followers/unsubscribe/{token}    (RFC 8058 one-click; any body) → 200 unsubscribed
 * All rate-limited per client address (RATE_FOLLOW). */
http_route_fn follow_api_route;

#endif
