#ifndef ADUAN_GATEWAY_SUPPORT_API_H
#define ADUAN_GATEWAY_SUPPORT_API_H
#include "http_reply.h"

/* /api/v1/reports/{tracking_id}/support: "dukung" (docs/api.md "Support"). GET reads the count;
 * POST {"supporter": id} adds a supporter once, rate-limited per client address (RATE_SUPPORT). */
http_route_fn support_api_route;

#endif
