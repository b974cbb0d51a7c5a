#ifndef ADUAN_GATEWAY_STATIC_SITE_H
#define ADUAN_GATEWAY_STATIC_SITE_H

#include <stdbool.h>
#include <stddef.h>

#include "embedded_file.h"
#include "http_reply.h"

/* Serves a table of files embedded by cmake/WebAssets.cmake (pages, scripts, styles, catalogues):
 * the gzip twin when the client accepts it (Vary: Accept-Encoding), the media type from the name,
 * cache headers (an immutable asset under its versioned URL, a page revalidated every time) and
 * the security headers every page carries (the site's Content-Security-Policy, nosniff, no
 * referrer). Any set of pages (the citizens', the staff console) is one static_site_t. */

typedef struct static_site_t static_site_t;

typedef enum {
    STATIC_PAGE,       /* an HTML page or other document at a fixed URL: Cache-Control: no-cache */
    STATIC_ASSET,      /* under /assets/<version>/ with the current version: cached for a year, immutable */
    STATIC_STALE       /* under an older version's URL (a page of a replica not yet updated): short cache */
} static_kind_t;

/* `csp` is copied; NULL when out of memory or the table has no "asset-version". */
static_site_t *static_site_new(const embedded_file_t *files, size_t count, const char *csp);
void static_site_destroy(static_site_t **self_p);

/* The version of the assets' URLs ("/assets/<version>/<name>"). */
const char *static_site_version(const static_site_t *self);

/* The file `name` (a base name, never a path) or NULL. */
const embedded_file_t *static_site_find(const static_site_t *self, const char *name);

/* Answers with the file `name`, or 404 when there is none. */
enum MHD_Result static_site_send(const static_site_t *self, struct MHD_Connection *c, request_t *req,
                                 const char *name, static_kind_t kind);

/* Answers `path`, "<version>/<name>" of an asset URL: the current version's immutable, an older
 * one's (a page of a replica not yet updated) briefly cached; 404 for any other shape. */
enum MHD_Result static_site_send_asset(const static_site_t *self, struct MHD_Connection *c, request_t *req,
                                       const char *path);

/* Whether an Accept-Encoding header (NULL: absent) admits gzip: listed without q=0, or "*". */
bool static_site_accepts_gzip(const char *accept_encoding);

/* The media type of a file name by its extension; application/octet-stream for the unknown. */
const char *static_site_media_type(const char *name);

#endif
