#ifndef ADUAN_GATEWAY_PAGE_MOUNT_H
#define ADUAN_GATEWAY_PAGE_MOUNT_H

#include <stdbool.h>
#include <stddef.h>

#include "embedded_file.h"
#include "http_reply.h"

/* A set of pages served under one URL prefix (the staff console at /konsol, the dashboard at
 * /dasbor): its pages at fixed paths or with one trailing segment (an id the page's script
 * reads), and its assets under <prefix>/assets/<version>/ (cmake/WebAssets.cmake, PREFIX). */

typedef struct {
    const char *path;   /* after the prefix: "" (the prefix itself), "/meja", or "/laporan/" + one segment */
    const char *file;   /* the embedded page */
    bool takes_segment; /* true: `path` ends with '/' and one non-empty segment follows */
} page_route_t;

typedef struct page_mount_t page_mount_t;

/* `prefix` and `routes` (ended by a {NULL}) must outlive the mount; NULL when out of memory. */
page_mount_t *page_mount_new(const char *prefix, const page_route_t *routes, const embedded_file_t *files,
                             size_t count, const char *csp);
void page_mount_destroy(page_mount_t **self_p);

/* Handles the mount's URLs (*handled true), leaving every other URL to the caller. */
enum MHD_Result page_mount_route(const page_mount_t *self, struct MHD_Connection *c, request_t *req,
                                 const char *method, const char *url, bool *handled);

#endif
