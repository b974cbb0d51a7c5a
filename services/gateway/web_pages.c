#include "web_pages.h"

#include <ctype.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "static_site.h"

extern const embedded_file_t citizen_pages[];
extern const size_t citizen_pages_count;

static static_site_t *site;
static char *config_json;   /* the body of /web-config.json */

/* The origin of a tile URL template as a CSP source, into `source`; -1 when it has none. */
static int tile_source(const char *tile_url, char *source, size_t cap)
{
    const char *host = strstr(tile_url, "://");
    if (!host || !((host - tile_url == 4 && strncmp(tile_url, "http", 4) == 0)
                   || (host - tile_url == 5 && strncmp(tile_url, "https", 5) == 0)))
        return -1;
    host += 3;
    size_t length = strcspn(host, "/");
    if (length == 0 || host[length] != '/')
        return -1;
    size_t out = (size_t) snprintf(source, cap, "%.*s", (int) (host - tile_url), tile_url);
    for (size_t i = 0; i < length && out + 2 < cap; i++) {
        if (strncmp(host + i, "{s}", 3) == 0) {
            source[out++] = '*';
            i += 2;
        } else if (isalnum((unsigned char) host[i]) || host[i] == '.' || host[i] == '-' || host[i] == ':')
            source[out++] = host[i];
        else
            return -1;
    }
    source[out] = '\0';
    return out + 2 < cap ? 0 : -1;
}

int web_pages_csp(const char *tile_url, char *csp, size_t cap)
{
    char tiles[300] = "";
    if (*tile_url && tile_source(tile_url, tiles, sizeof tiles) != 0)
        return -1;
    int n = snprintf(csp, cap,
                     "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:%s%s; "
                     "connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; "
                     "form-action 'self'; frame-ancestors 'none'",
                     *tiles ? " " : "", tiles);
    return n > 0 && (size_t) n < cap ? 0 : -1;
}

int web_pages_setup(const char *tile_url, const char *attribution, char *reason, size_t cap)
{
    char csp[600];
    if (web_pages_csp(tile_url, csp, sizeof csp) != 0) {
        snprintf(reason, cap, "ADUAN_MAP_TILE_URL must be http(s)://host[:port]/... with {s}, {z}, {x}, {y} "
                              "(or empty for no map tiles): %s", tile_url);
        return -1;
    }
    json_t *doc = json_pack("{s:s,s:s}", "tile_url", tile_url, "tile_attribution", attribution);
    config_json = doc ? json_dumps(doc, JSON_COMPACT) : NULL;
    json_decref(doc);
    site = config_json ? static_site_new(citizen_pages, citizen_pages_count, csp) : NULL;
    if (!site) {
        snprintf(reason, cap, "out of memory");
        web_pages_teardown();
        return -1;
    }
    return 0;
}

void web_pages_teardown(void)
{
    static_site_destroy(&site);
    free(config_json);
    config_json = NULL;
}

static enum MHD_Result send_config(struct MHD_Connection *c, request_t *req)
{
    static const char *const headers[] = {"Cache-Control", "no-cache", NULL};
    char *copy = strdup(config_json);
    if (!copy)
        return http_send_problem(c, req, &PROBLEM_INTERNAL, NULL, NULL, NULL);
    return http_send_text(c, req, 200, "application/json; charset=utf-8", copy, headers);
}

/* The page of a URL outside the API, or NULL when it is none of ours. */
static const char *page_of(const char *url)
{
    if (strcmp(url, "/") == 0)
        return "index.html";
    if (strcmp(url, "/kirim") == 0)
        return "submit.html";
    if (strcmp(url, "/laporan") == 0)
        return "list.html";
    if (strcmp(url, "/ikuti") == 0)
        return "follow.html";
    if (strcmp(url, "/laporan-saya") == 0)
        return "my-reports.html";
    if (strncmp(url, "/lapor/", 7) == 0 && url[7] && !strchr(url + 7, '/'))
        return "track.html";
    return NULL;
}

enum MHD_Result web_pages_route(struct MHD_Connection *c, request_t *req, const char *method, const char *url,
                                bool *handled)
{
    const char *page = page_of(url);
    bool asset = strncmp(url, "/assets/", 8) == 0, config = strcmp(url, "/web-config.json") == 0;
    *handled = site && (page || asset || config);
    if (!*handled)
        return MHD_NO;
    req->route = "web_config";
    if (page)
        req->route = "page";
    else if (asset)
        req->route = "asset";
    if (strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0)
        return http_wrong_method(c, req, "GET, HEAD");
    if (config)
        return send_config(c, req);
    return page ? static_site_send(site, c, req, page, STATIC_PAGE) : static_site_send_asset(site, c, req, url + 8);
}
