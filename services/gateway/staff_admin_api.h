#ifndef ADUAN_GATEWAY_STAFF_ADMIN_API_H
#define ADUAN_GATEWAY_STAFF_ADMIN_API_H

#include "http_reply.h"

/* Staff administration (docs/api.md "Staff: administration"), admins within their subtree:
 * GET|POST /staff (list with filters and paging; create), POST /staff/{username}/deactivate,
 * .../reactivate, .../password (a new password, or a generated one shown once) and .../role (a new
 * role and/or institution). The rules are common/lifecycle/staff_account_admin.h's; answers are problem+json
 * through http_send_error. */
http_route_fn staff_admin_api_route;

#endif
