#ifndef ADUAN_GATEWAY_CONFIG_API_H
#define ADUAN_GATEWAY_CONFIG_API_H

#include <stdbool.h>

#include "http_reply.h"

/* The reference data admins edit (docs/api.md, "Administration"), national admins only:
 *   GET|POST /admin/holidays, DELETE /admin/holidays/{YYYY-MM-DD}        aduan-route
 *   GET|POST /admin/routing-rules, DELETE /admin/routing-rules/{id}      aduan-route
 *   GET|POST /admin/categories, PATCH /admin/categories/{code} (rename),
 *   POST /admin/categories/{code}/deactivate                              aduan-intake
 *   GET|POST /admin/templates, POST /admin/template-previews              aduan-notify
 * The gateway only translates into the owner's commands (config_command_codec.h) for the
 * signed-in member; the owner checks the role and the fields. */
enum MHD_Result config_api_route(struct MHD_Connection *c, request_t *req, const char *method, const char *url,
                                 bool *handled);

#endif
