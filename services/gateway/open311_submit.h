#ifndef ADUAN_GATEWAY_OPEN311_SUBMIT_H
#define ADUAN_GATEWAY_OPEN311_SUBMIT_H

#include <jansson.h>
#include <stdbool.h>

#include "http_reply.h"
#include "open311_form.h"
#include "open311_keys.h"
#include "open311_reply.h"

/* POST requests.{fmt}: an app (its api_key) submits a service request. The report is a complaint
 * in the app's region on channel "open311.<app>"; first_name/last_name/email/phone become its
 * reporter; attribute[CODE] values are checked against the service definition and kept in the
 * body. The idempotency key is derived from the app and every field it sent, so a resent POST
 * (FixMyStreet resends) gives the same report; the token of an app that polls is that key's
 * name. */

#define OPEN311_TOKEN_HEX 32
#define OPEN311_DESCRIPTION_MAX 4000

bool open311_token_valid(const char *text);

/* The app whose api_key came with the request: true with *app (when app is not NULL); false with
 * a 403 (no key, a wrong or revoked one) or 503 (accounts database unreachable) added to errors. */
bool open311_api_app(const open311_form_t *form, open311_app_t *app, json_t *errors);

/* The start of every POST: the body read (NULL with the 400 sent in *rc when it cannot be), then
 * the jurisdiction and the api_key checked, their problems added to errors; *known tells whether
 * *app is the key's. */
open311_form_t *open311_post_form(struct MHD_Connection *c, request_t *req, open311_format_t fmt, json_t *errors,
                                  open311_app_t *app, bool *known, enum MHD_Result *rc);

enum MHD_Result open311_submit(struct MHD_Connection *c, request_t *req, open311_format_t fmt);

#endif
