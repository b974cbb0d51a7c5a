#ifndef ADUAN_GATEWAY_DESK_FILTERS_H
#define ADUAN_GATEWAY_DESK_FILTERS_H

#include <microhttpd.h>
#include <stdbool.h>

#include "field_errors.h"
#include "staff_query_codec.h"

/* The query-string filters of the staff lists (GET /desk, GET /staff/reports; docs/api.md):
 * category, region, q, overdue, duplicates, older_than_days, sort and mine, checked for form here so
 * that the store only ever sees well-formed values, and the `after` cursor (not with `offset`). 0 with the filters set on `q` (owned copies),
 * 1 with `errors` for a malformed one, -1 out of memory. */
int desk_filters_read(struct MHD_Connection *c, staff_query_t *q, field_errors_t *errors);

/* A filter's value by name, or NULL when it is not set. */
typedef const char *(desk_filter_lookup_fn)(void *ctx, const char *name);

/* The same checks on filters from elsewhere (saved filters: desk_saved_filters.h), which may also
 * hold status and institution (the lists' other arguments); errors are added. */
void desk_filters_check(desk_filter_lookup_fn *lookup, void *ctx, field_errors_t *errors);

/* True when `name` is one of the filters a saved filter may hold. */
bool desk_filters_known(const char *name);

#endif
