#include "page_mount.h"

#include <stdlib.h>
#include <string.h>

#include "static_site.h"

struct page_mount_t {
    const char *prefix;
    const page_route_t *routes;
    static_site_t *site;
};

page_mount_t *page_mount_new(const char *prefix, const page_route_t *routes, const embedded_file_t *files,
                             size_t count, const char *csp)
{
    page_mount_t *self = calloc(1, sizeof *self);
    if (!self)
        return NULL;
    self->prefix = prefix;
    self->routes = routes;
    self->site = static_site_new(files, count, csp);
    if (!self->site)
        page_mount_destroy(&self);
    return self;
}

void page_mount_destroy(page_mount_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    static_site_destroy(&(*self_p)->site);
    free(*self_p);
    *self_p = NULL;
}

/* The page of `rest` (the URL after the prefix), or NULL. */
static const char *page_of(const page_route_t *routes, const char *rest)
{
    for (const page_route_t *r = routes; r->path; r++) {
        size_t n = strlen(r->path);
        if (!r->takes_segment && strcmp(rest, r->path) == 0)
            return r->file;
        if (r->takes_segment && strncmp(rest, r->path, n) == 0 && rest[n] && !strchr(rest + n, '/'))
            return r->file;
    }
    return NULL;
}

enum MHD_Result page_mount_route(const page_mount_t *self, struct MHD_Connection *c, request_t *req,
                                 const char *method, const char *url, bool *handled)
{
    static const char assets[] = "/assets/";
    size_t n = strlen(self->prefix);
    *handled = false;
    if (strncmp(url, self->prefix, n) != 0 || (url[n] && url[n] != '/'))
        return MHD_NO;
    const char *rest = url + n, *page = page_of(self->routes, rest);
    bool asset = strncmp(rest, assets, sizeof assets - 1) == 0;
    *handled = page || asset;
    if (!*handled)
        return MHD_NO;
    req->route = page ? "page" : "asset";
    if (strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0)
        return http_wrong_method(c, req, "GET, HEAD");
    return page ? static_site_send(self->site, c, req, page, STATIC_PAGE)
                : static_site_send_asset(self->site, c, req, rest + sizeof assets - 1);
}
