#ifndef ADUAN_GATEWAY_WEB_PAGES_H
#define ADUAN_GATEWAY_WEB_PAGES_H

#include <stdbool.h>
#include <stddef.h>

#include "http_reply.h"

/* The citizens' pages (docs/api.md, "Web pages"), files of web/citizen/ embedded at build time:
 *   GET /                        home: what aduan is, track a report by its id
 *   GET /kirim                   the submission form
 *   GET /lapor/{tracking_id}     a report's page (the links in notification e-mails open it)
 *   GET /assets/{version}/{name} scripts, styles, message catalogues, vendored libraries
 *   GET /web-config.json         what the pages need of the settings (the map's tile URL)
 * The pages only call the JSON API; this module serves files and nothing else. */

/* Keeps the map settings (ADUAN_MAP_TILE_URL, ADUAN_MAP_ATTRIBUTION); -1 with a reason when the
 * tile URL is not one a Content-Security-Policy can name, or out of memory. */
int web_pages_setup(const char *tile_url, const char *attribution, char *reason, size_t cap);
void web_pages_teardown(void);

/* Handles the routes above (*handled true), leaving every other URL to the caller. */
enum MHD_Result web_pages_route(struct MHD_Connection *c, request_t *req, const char *method, const char *url,
                                bool *handled);

/* The pages' Content-Security-Policy: everything from 'self' only, no inline script or style,
 * and images also from the tile server's origin ({s} in its host becomes a wildcard); "" means no
 * tiles. -1 when the URL is not http(s)://host[:port]/... of plain host characters. */
int web_pages_csp(const char *tile_url, char *csp, size_t cap);

#endif
