#ifndef ADUAN_GATEWAY_PUBLIC_LIST_API_H
#define ADUAN_GATEWAY_PUBLIC_LIST_API_H
#include "http_reply.h"

/* GET /api/v1/reports: the public list of reports that are not confidential, with filters,
 * full-text search and paging (docs/api.md "Public list"); intake's report.list answers it.
 * POST on the same URL (submission) is left to the next module. */
http_route_fn public_list_api_route;

#endif
