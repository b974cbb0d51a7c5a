#include "console_pages.h"

#include <stdio.h>

#include "page_mount.h"
#include "web_pages.h"

extern const embedded_file_t console_pages[];
extern const size_t console_pages_count;
extern const embedded_file_t dashboard_pages[];
extern const size_t dashboard_pages_count;

static const page_route_t console_routes[] = {
    {"", "signin.html", false},
    {"/meja", "desk.html", false},
    {"/kotak-masuk", "inbox.html", false},
    {"/laporan/", "report.html", true},
    {"/staf", "staff.html", false},
    {"/webhook", "webhooks.html", false},
    {"/open311", "open311-keys.html", false},
    {"/atur", "admin-config.html", false},
    {NULL, NULL, false},
};

static const page_route_t dashboard_routes[] = {
    {"", "dashboard.html", false},
    {"/instansi/", "institution.html", true},
    {NULL, NULL, false},
};

static page_mount_t *console, *dashboard;

int console_pages_setup(char *reason, size_t cap)
{
    char csp[600];
    if (web_pages_csp("", csp, sizeof csp) == 0) {
        console = page_mount_new("/konsol", console_routes, console_pages, console_pages_count, csp);
        dashboard = page_mount_new("/dasbor", dashboard_routes, dashboard_pages, dashboard_pages_count, csp);
    }
    if (console && dashboard)
        return 0;
    snprintf(reason, cap, "out of memory");
    console_pages_teardown();
    return -1;
}

void console_pages_teardown(void)
{
    page_mount_destroy(&console);
    page_mount_destroy(&dashboard);
}

enum MHD_Result console_pages_route(struct MHD_Connection *c, request_t *req, const char *method, const char *url,
                                    bool *handled)
{
    *handled = false;
    if (!console || !dashboard)
        return MHD_NO;
    enum MHD_Result rc = page_mount_route(console, c, req, method, url, handled);
    return *handled ? rc : page_mount_route(dashboard, c, req, method, url, handled);
}
