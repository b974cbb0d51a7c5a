#ifndef ADUAN_GATEWAY_DESK_SAVED_FILTERS_H
#define ADUAN_GATEWAY_DESK_SAVED_FILTERS_H

#include "http_reply.h"

/* A staff member's saved desk filters (docs/api.md "Staff: the desk"): GET|POST /desk/filters and
 * DELETE /desk/filters/{id}, for the signed-in member's own filters only, kept by aduan-intake
 * (desk_filter_codec.h). A saved filter holds the desk's query arguments as strings, checked here
 * by the desk's own parser (desk_filters.h) before it is sent, so applying it is the same as
 * typing it. */
http_route_fn desk_saved_filters_route;

#endif
