#include "static_site.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

struct static_site_t {
    const embedded_file_t *files;
    size_t count;
    char *csp;
    char version[32];
};

static_site_t *static_site_new(const embedded_file_t *files, size_t count, const char *csp)
{
    static_site_t *self = calloc(1, sizeof *self);
    if (!self)
        return NULL;
    self->files = files;
    self->count = count;
    self->csp = strdup(csp);
    const embedded_file_t *version = static_site_find(self, "asset-version");
    if (!self->csp || !version || version->size >= sizeof self->version) {
        static_site_destroy(&self);
        return NULL;
    }
    memcpy(self->version, version->data, version->size);
    return self;
}

void static_site_destroy(static_site_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    free((*self_p)->csp);
    free(*self_p);
    *self_p = NULL;
}

const char *static_site_version(const static_site_t *self)
{
    return self->version;
}

const embedded_file_t *static_site_find(const static_site_t *self, const char *name)
{
    for (size_t i = 0; i < self->count; i++)
        if (strcmp(self->files[i].name, name) == 0)
            return &self->files[i];
    return NULL;
}

/* Whether one Accept-Encoding element ("gzip;q=0.5") names `coding` with a q above zero. */
static bool element_admits(const char *element, size_t length, const char *coding)
{
    while (length && isspace((unsigned char) *element))
        element++, length--;
    size_t name = 0;
    while (name < length && element[name] != ';' && !isspace((unsigned char) element[name]))
        name++;
    if (!((name == strlen(coding) && strncasecmp(element, coding, name) == 0) || (name == 1 && *element == '*')))
        return false;
    const char *q = NULL;
    for (size_t i = name; i + 1 < length; i++)
        if ((element[i] == 'q' || element[i] == 'Q') && element[i + 1] == '=')
            q = element + i + 2;
    return !q || strtod(q, NULL) > 0;
}

bool static_site_accepts_gzip(const char *accept_encoding)
{
    if (!accept_encoding)
        return false;
    for (const char *element = accept_encoding; *element;) {
        size_t length = strcspn(element, ",");
        if (element_admits(element, length, "gzip"))
            return true;
        element += length + (element[length] == ',');
    }
    return false;
}

const char *static_site_media_type(const char *name)
{
    static const char *const types[][2] = {
        {".html", "text/html; charset=utf-8"},  {".css", "text/css; charset=utf-8"},
        {".js", "text/javascript; charset=utf-8"}, {".json", "application/json; charset=utf-8"},
        {".svg", "image/svg+xml"}, {".png", "image/png"}, {".txt", "text/plain; charset=utf-8"},
    };
    const char *dot = strrchr(name, '.');
    for (size_t i = 0; dot && i < sizeof types / sizeof types[0]; i++)
        if (strcmp(dot, types[i][0]) == 0)
            return types[i][1];
    return "application/octet-stream";
}

static const char *cache_control(static_kind_t kind)
{
    switch (kind) {
    case STATIC_ASSET: return "public, max-age=31536000, immutable";
    case STATIC_STALE: return "public, max-age=60";
    default: return "no-cache";
    }
}

enum MHD_Result static_site_send(const static_site_t *self, struct MHD_Connection *c, request_t *req,
                                 const char *name, static_kind_t kind)
{
    const embedded_file_t *file = static_site_find(self, name), *packed = NULL;
    if (!file || strcmp(name, "asset-version") == 0)
        return http_send_problem(c, req, &PROBLEM_NOT_FOUND, "no such resource", NULL, NULL);
    char gz[128];
    if (snprintf(gz, sizeof gz, "%s.gz", name) < (int) sizeof gz
        && static_site_accepts_gzip(MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Accept-Encoding")))
        packed = static_site_find(self, gz);
    const embedded_file_t *sent = packed ? packed : file;
    /* A copy: libmicrohttpd 0.9.75 takes only mutable buffers, and the table is const. */
    char *copy = malloc(sent->size ? sent->size : 1);
    if (!copy)
        return MHD_NO;
    memcpy(copy, sent->data, sent->size);
    struct MHD_Response *r = MHD_create_response_from_buffer(sent->size, copy, MHD_RESPMEM_MUST_FREE);
    if (!r) {
        free(copy);
        return MHD_NO;
    }
    req->status = 200;
    static const char *const fixed[] = {
        "X-Content-Type-Options", "nosniff", "Referrer-Policy", "no-referrer", "Vary", "Accept-Encoding",
        "Cross-Origin-Opener-Policy", "same-origin", NULL};
    for (int i = 0; fixed[i]; i += 2)
        MHD_add_response_header(r, fixed[i], fixed[i + 1]);
    MHD_add_response_header(r, "Content-Type", static_site_media_type(name));
    MHD_add_response_header(r, "Cache-Control", cache_control(kind));
    MHD_add_response_header(r, "Content-Security-Policy", self->csp);
    MHD_add_response_header(r, "X-Request-Id", req->id);
    if (packed)
        MHD_add_response_header(r, "Content-Encoding", "gzip");
    enum MHD_Result rc = MHD_queue_response(c, 200, r);
    MHD_destroy_response(r);
    return rc;
}

enum MHD_Result static_site_send_asset(const static_site_t *self, struct MHD_Connection *c, request_t *req,
                                       const char *path)
{
    const char *slash = strchr(path, '/');
    if (!slash || strchr(slash + 1, '/'))
        return http_send_problem(c, req, &PROBLEM_NOT_FOUND, "no such resource", NULL, NULL);
    size_t length = strlen(self->version);
    bool current = (size_t) (slash - path) == length && strncmp(path, self->version, length) == 0;
    return static_site_send(self, c, req, slash + 1, current ? STATIC_ASSET : STATIC_STALE);
}
