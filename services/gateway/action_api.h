#ifndef ADUAN_GATEWAY_ACTION_API_H
#define ADUAN_GATEWAY_ACTION_API_H

#include "http_reply.h"

/* POST /api/v1/reports/{tracking_id}/actions: one step of a report's life (docs/api.md,
 * "Actions"). Staff act with their session token; a reporter replies or adds data with the
 * reporter token. The action's rule (report_lifecycle.h) says which service carries it out; an
 * Idempotency-Key makes a retried action answer the same instead of acting twice. */
enum MHD_Result action_api_post(struct MHD_Connection *c, request_t *req, const char *typed_tracking_id);

#endif
