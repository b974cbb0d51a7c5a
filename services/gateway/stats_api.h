#ifndef ADUAN_GATEWAY_STATS_API_H
#define ADUAN_GATEWAY_STATS_API_H

#include <stdbool.h>

#include "http_reply.h"

/* Statistics, rankings, the satisfaction index, exports and the survey (docs/api.md,
 * "Statistics"):
 *   GET /stats/summary, /stats/series, /stats/rankings, /stats/ikm   public, or staff for their scope
 *   GET /stats/export/summary?format=csv|json                       as /stats/summary
 *   GET /stats/export/reports?format=csv|json                       staff, their scope
 *   POST /surveys                                                    a service user's answers
 *   POST /reports/{id}/survey                                        the reporter, with the token
 * Without a session the figures are public: counts too small to show are withheld. With one, an
 * institution's staff see their subtree in full, national admins everything. The gateway only
 * authenticates and renders CSV: aduan-stats answers stats.query and survey.answer
 * (stats_query_codec.h), scoping and validating there. */
enum MHD_Result stats_api_route(struct MHD_Connection *c, request_t *req, const char *method, const char *url,
                                bool *handled);

#endif
