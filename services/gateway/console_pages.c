#include "console_pages.h"

#include <stdio.h>
#include <string.h>

#include "static_site.h"
#include "web_pages.h"

extern const embedded_file_t console_pages[];
extern const size_t console_pages_count;

#define ROOT "/konsol"
#define ASSETS ROOT "/assets/"
#define REPORT ROOT "/laporan/"

static static_site_t *site;

int console_pages_setup(char *reason, size_t cap)
{
    char csp[600];
    site = web_pages_csp("", csp, sizeof csp) == 0 ? static_site_new(console_pages, console_pages_count, csp) : NULL;
    if (!site)
        snprintf(reason, cap, "out of memory");
    return site ? 0 : -1;
}

void console_pages_teardown(void)
{
    static_site_destroy(&site);
}

/* The page of a console URL, or NULL when it is none. */
static const char *page_of(const char *url)
{
    if (strcmp(url, ROOT) == 0)
        return "signin.html";
    if (strcmp(url, ROOT "/meja") == 0)
        return "desk.html";
    if (strncmp(url, REPORT, sizeof REPORT - 1) == 0 && url[sizeof REPORT - 1] && !strchr(url + sizeof REPORT - 1, '/'))
        return "report.html";
    return NULL;
}

enum MHD_Result console_pages_route(struct MHD_Connection *c, request_t *req, const char *method, const char *url,
                                    bool *handled)
{
    const char *page = page_of(url);
    bool asset = strncmp(url, ASSETS, sizeof ASSETS - 1) == 0;
    *handled = site && (page || asset);
    if (!*handled)
        return MHD_NO;
    req->route = page ? "console_page" : "console_asset";
    if (strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0)
        return http_wrong_method(c, req, "GET, HEAD");
    return page ? static_site_send(site, c, req, page, STATIC_PAGE)
                : static_site_send_asset(site, c, req, url + sizeof ASSETS - 1);
}
