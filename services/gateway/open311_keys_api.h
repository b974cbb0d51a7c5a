#ifndef ADUAN_GATEWAY_OPEN311_KEYS_API_H
#define ADUAN_GATEWAY_OPEN311_KEYS_API_H

#include <stdbool.h>

#include "http_reply.h"

/* The API keys of Open311 client applications, for national admins (docs/api.md, "Open311 keys"):
 * POST /admin/open311-keys {name, region, answer_token?} → 201 with the key, shown once;
 * GET /admin/open311-keys; DELETE /admin/open311-keys/{name} revokes it (204). The gateway owns
 * the table, as it owns authentication. */
enum MHD_Result open311_keys_api_route(struct MHD_Connection *c, request_t *req, const char *method, const char *url,
                                       bool *handled);

#endif
