#ifndef ADUAN_GATEWAY_LIVE_API_H
#define ADUAN_GATEWAY_LIVE_API_H

#include <stdbool.h>

#include "http_reply.h"

/* Live updates as Server-Sent Events (docs/api.md "Live updates"):
 *   GET /api/v1/live          staff (Bearer): events of reports in their subtree
 *   GET /api/v1/live/public   anyone: "the figures changed", for non-confidential reports
 * Each event is filtered for the viewer before it is sent and says only codes (what happened,
 * to which report, its status); the pages fetch what they show through their usual endpoints,
 * with its own privacy rules. `id:` is the stream's seq; Last-Event-ID resumes after it, or
 * gets a "reload" event when the gateway no longer keeps what was missed. A staff stream ends
 * (event "end") once its session does. Events come from live_feed.h; a waiting client holds no
 * thread (its connection is suspended). */

/* heartbeat_s: seconds between comments on a quiet stream (proxies close silent connections);
 * a staff session is checked again at the same pace. */
void live_api_setup(long heartbeat_s);

enum MHD_Result live_api_route(struct MHD_Connection *c, request_t *req, const char *method, const char *url,
                               bool *handled);

#endif
