#ifndef ADUAN_GATEWAY_CONSOLE_PAGES_H
#define ADUAN_GATEWAY_CONSOLE_PAGES_H

#include <stdbool.h>
#include <stddef.h>

#include "http_reply.h"

/* The staff console and the public dashboard (docs/api.md, "Staff console", "Public dashboard"),
 * files of web/console/ and web/dashboard/ embedded at build time:
 *   GET /konsol                          sign-in
 *   GET /konsol/meja                     the desk: the queue, its filters and bulk actions
 *   GET /konsol/laporan/{tracking_id}    one report: history, pre-checks, clocks and the actions
 *   GET /konsol/kotak-masuk              the member's inbox
 *   GET /konsol/assets/{version}/{name}  scripts, styles and the message catalogues
 *   GET /dasbor                          the figures: buckets, rankings, times, compliance, IKM
 *   GET /dasbor/instansi/{code}          one institution's months
 *   GET /dasbor/assets/{version}/{name}
 * Like the citizens' pages, these only call the JSON API (the console with the session token); the gateway serves
 * files here and decides nothing (every permission is the API's). */

/* -1 with a reason when out of memory. */
int console_pages_setup(char *reason, size_t cap);
void console_pages_teardown(void);

/* Handles the routes above (*handled true), leaving every other URL to the caller. */
enum MHD_Result console_pages_route(struct MHD_Connection *c, request_t *req, const char *method, const char *url,
                                    bool *handled);

#endif
