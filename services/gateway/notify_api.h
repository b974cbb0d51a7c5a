#ifndef ADUAN_GATEWAY_NOTIFY_API_H
#define ADUAN_GATEWAY_NOTIFY_API_H

#include <stdbool.h>

#include "http_reply.h"

/* What aduan-notify's work looks like from outside (docs/api.md, "Notifications"):
 *   POST|GET /webhooks, DELETE /webhooks/{id}           admins, for their subtree
 *   GET /inbox, POST /inbox/{id}/read, POST /inbox/read every staff member, own items
 *   GET /deliveries, POST /deliveries/{id}/resend       staff of the subtree; re-send: admins
 *   PUT /reports/{id}/notifications                     the reporter, with the reporter token
 * The gateway only translates: the staff routes are aduan-notify's commands (notify_command_codec.h)
 * for the signed-in member, the reporter's settings aduan-intake's (reporter_preferences_codec.h). */
enum MHD_Result notify_api_route(struct MHD_Connection *c, request_t *req, const char *method, const char *url,
                                 bool *handled);

#endif
