#ifndef ADUAN_GATEWAY_OPEN311_UPDATES_H
#define ADUAN_GATEWAY_OPEN311_UPDATES_H

#include "http_reply.h"
#include "open311_reply.h"

/* POST servicerequestupdates.{fmt} (the mySociety extension): an app passes on what the reporter
 * of one of its own reports said. It becomes the reporter's step the report's status allows: added
 * data while it is postponed (extended status investigating), a reply while it is in process
 * (in_progress); in any other status it is refused (400). Only the app a report came from may
 * update it (403 otherwise). The step's command id is derived from the app, the request and the
 * app's update_id, so a resent update is one step; the answer's update_id is that step's, the
 * same GET servicerequestupdates shows. */
enum MHD_Result open311_post_update(struct MHD_Connection *c, request_t *req, open311_format_t fmt);

#endif
