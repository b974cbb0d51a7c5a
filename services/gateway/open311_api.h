#ifndef ADUAN_GATEWAY_OPEN311_API_H
#define ADUAN_GATEWAY_OPEN311_API_H

#include <stdbool.h>

#include "config.h"
#include "http_reply.h"
#include "open311_form.h"
#include "open311_reply.h"

/* Open311 GeoReport v2 at /open311/v2/ (docs/open311.md): discovery, services, service
 * definitions, requests (POST with an app's API key; GET one, or a list by the standard filters
 * with page/page_size, extensions=true and lat/long/radius), tokens and the servicerequestupdates
 * GET extension, each as .xml or .json. Reads are open311.query commands to intake, a POST a
 * report.submit under a key derived from the app and the fields it sent, so a resent POST is the
 * same report. Errors are the standard's lists (400, 403, 404, several at once). */

#define OPEN311_BASE "/open311/v2/"

/* Reads ADUAN_OPEN311_URL, ADUAN_OPEN311_JURISDICTION, ADUAN_OPEN311_CONTACT. */
void open311_api_setup(const config_t *config);

/* The query string, then (POST) the urlencoded body, into *form. 0, or -1 with the 400 sent in *rc. */
int open311_api_read_form(struct MHD_Connection *c, request_t *req, open311_format_t fmt, bool post,
                          open311_form_t *form, enum MHD_Result *rc);
/* False, with a 404 added to errors, when jurisdiction_id names another jurisdiction than ours. */
bool open311_api_jurisdiction_ok(const open311_form_t *form, json_t *errors);

enum MHD_Result open311_api_route(struct MHD_Connection *c, request_t *req, const char *method, const char *url,
                                  bool *handled);

#endif
