#ifndef ADUAN_GATEWAY_OPEN311_PARAMS_H
#define ADUAN_GATEWAY_OPEN311_PARAMS_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "open311_form.h"
#include "open311_query_codec.h"

/* Reading the parameters of the Open311 GET methods into an open311.query, every problem an
 * entry of the standard's error list (so several are answered at once). */

#define OPEN311_WINDOW_DAYS 90
#define OPEN311_RADIUS_DEFAULT_M 1000.0
#define OPEN311_RADIUS_MAX_M 100000.0

/* A W3C datetime with its zone, REQUIRED ("2026-11-24T01:02:03Z", "...+07:00", seconds and a
 * fraction optional) as seconds since the epoch; false when it is not one. */
bool open311_datetime_parse(const char *text, int64_t *epoch_s);

/* start_date / end_date: each a datetime, start before end, at most 90 days apart. Fills
 * q->start / q->end (copies). */
void open311_params_window(const open311_form_t *form, open311_query_t *q, json_t *errors);
/* The filters of GET requests (service_request_id, service_code, status, page, page_size,
 * extensions, lat/long/radius) and the window. */
void open311_params_requests(const open311_form_t *form, open311_query_t *q, json_t *errors);

#endif
