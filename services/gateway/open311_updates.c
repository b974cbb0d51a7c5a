#include "open311_updates.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "logger.h"
#include "msgpack_fields.h"
#include "open311_api.h"
#include "open311_json.h"
#include "open311_params.h"
#include "open311_submit.h"
#include "report_step_codec.h"
#include "request_limits.h"
#include "tracking_id.h"

typedef struct {
    open311_app_t app;
    char channel[64];
    char tracking_id[TRACKING_ID_LEN + 1];
    const char *update_id, *description;
} update_t;

static void check_update(const open311_form_t *form, update_t *u, json_t *errors)
{
    static const char *const required[] = {"service_request_id", "update_id", "status", "updated_datetime",
                                           "description"};
    char message[80];
    for (size_t i = 0; i < sizeof required / sizeof required[0]; i++)
        if (!open311_form_get(form, required[i])) {
            snprintf(message, sizeof message, "%s is required", required[i]);
            open311_errors_add(errors, 400, message);
        }
    const char *status = open311_form_get(form, "status"), *when = open311_form_get(form, "updated_datetime");
    int64_t epoch;
    if (status && strcasecmp(status, "open") != 0 && strcasecmp(status, "closed") != 0)
        open311_errors_add(errors, 400, "status is OPEN or CLOSED");
    if (when && !open311_datetime_parse(when, &epoch))
        open311_errors_add(errors, 400, "updated_datetime must be a W3C datetime with its time zone");
    u->update_id = open311_form_get(form, "update_id");
    u->description = open311_form_get(form, "description");
    if (u->update_id && strlen(u->update_id) > 64)
        open311_errors_add(errors, 400, "update_id is at most 64 characters");
    if (u->description && strlen(u->description) > REPORT_STEP_NOTE_MAX)
        open311_errors_add(errors, 400, "description is too long");
}

/* The reporter's step the report's extended status allows, or NULL. */
static const char *step_for(json_t *request)
{
    const char *status = json_string_value(json_object_get(json_object_get(request, "extended_attributes"), "status"));
    if (status && strcmp(status, "investigating") == 0)
        return "add_data";
    if (status && strcmp(status, "in_progress") == 0)
        return "reply";
    return NULL;
}

/* The same app, request and update_id: the same command id, so a resend is one step. */
static void derive_command_id(const update_t *u, char out[ENVELOPE_ID_MAX + 1])
{
    unsigned char digest[crypto_hash_sha256_BYTES];
    crypto_hash_sha256_state state;
    crypto_hash_sha256_init(&state);
    crypto_hash_sha256_update(&state, (const unsigned char *) u->channel, strlen(u->channel) + 1);
    crypto_hash_sha256_update(&state, (const unsigned char *) u->tracking_id, strlen(u->tracking_id) + 1);
    crypto_hash_sha256_update(&state, (const unsigned char *) u->update_id, strlen(u->update_id));
    crypto_hash_sha256_final(&state, digest);
    char hex[33];
    sodium_bin2hex(hex, sizeof hex, digest, 16);
    snprintf(out, ENVELOPE_ID_MAX + 1, "o311u:%s", hex);
}

/* Sends the step; true when it was taken (or had been, for a resend), else the answer is in *rc. */
static bool take_step(struct MHD_Connection *c, request_t *req, open311_format_t fmt, const update_t *u,
                      const char *action, enum MHD_Result *rc)
{
    report_step_t step;
    memset(&step, 0, sizeof step);
    unsigned char *body = NULL;
    size_t size = 0;
    char reason[256];
    bool encoded = mpf_set_string(&step.tracking_id, u->tracking_id) == 0 && mpf_set_string(&step.action, action) == 0
                   && mpf_set_string(&step.actor_role, "reporter") == 0
                   && mpf_set_string(&step.actor_id, u->channel) == 0 && mpf_set_string(&step.note, u->description) == 0
                   && report_step_encode(&step, &body, &size) == 0;
    report_step_clear(&step);
    if (!encoded) {
        *rc = http_send_problem(c, req, &PROBLEM_INTERNAL, NULL, NULL, NULL);
        return false;
    }
    envelope_t *reply = http_command(req, PEER_INTAKE, MSG_REPORT_ACT, body, size, reason, sizeof reason);
    bool taken = reply && strcmp(reply->type, MSG_REPORT_OUTCOME) == 0;
    if (!taken)
        *rc = open311_send_failure(c, req, fmt, reply, reason);
    envelope_destroy(&reply);
    return taken;
}

/* The update_id of the step taken under request_id: the document, or NULL with *rc sent (or,
 * with `missing`, only *missing set when there is none yet). */
static json_t *update_of(struct MHD_Connection *c, request_t *req, open311_format_t fmt, char *request_id,
                         bool *missing, enum MHD_Result *rc)
{
    open311_query_t q = {.kind = "update", .request_id = request_id};
    return open311_query(c, req, fmt, &q, missing, rc);
}

/* Read the request, take the step, read the step's id back. */
static enum MHD_Result take_new_step(struct MHD_Connection *c, request_t *req, open311_format_t fmt,
                                     const update_t *u, char *request_id)
{
    enum MHD_Result rc = MHD_NO;
    open311_query_t q = {.kind = "requests", .limit = 1, .extensions = true};
    char tracking_id[TRACKING_ID_LEN + 1];
    snprintf(tracking_id, sizeof tracking_id, "%s", u->tracking_id);
    q.ids = tracking_id;
    json_t *found = open311_query(c, req, fmt, &q, NULL, &rc);
    if (!found)
        return rc;
    bool known = json_array_size(found) > 0;
    const char *action = known ? step_for(json_array_get(found, 0)) : NULL;
    json_decref(found);
    if (!known)
        return open311_send_error(c, req, fmt, 404, "no request has this service_request_id");
    if (!action)
        return open311_send_error(c, req, fmt, 400, "the request takes no update in its current status");
    snprintf(req->command_id, sizeof req->command_id, "%s", request_id);
    bool taken = take_step(c, req, fmt, u, action, &rc);
    req->command_id[0] = '\0';   /* the reads are commands of their own */
    if (!taken)
        return rc;
    json_t *doc = update_of(c, req, fmt, request_id, NULL, &rc);
    return doc ? open311_send(c, req, fmt, 201, doc, "service_request_updates") : rc;
}

/* A resend finds its step already taken (the report's status may no longer take one). */
static enum MHD_Result post_checked(struct MHD_Connection *c, request_t *req, open311_format_t fmt, const update_t *u)
{
    char request_id[ENVELOPE_ID_MAX + 1];
    derive_command_id(u, request_id);
    req->command_id[0] = '\0';   /* a handler run again starts as the first run did */
    enum MHD_Result rc = MHD_NO;
    bool missing = false;
    json_t *done = update_of(c, req, fmt, request_id, &missing, &rc);
    if (done)
        return open311_send(c, req, fmt, 201, done, "service_request_updates");
    return missing ? take_new_step(c, req, fmt, u, request_id) : rc;
}

enum MHD_Result open311_post_update(struct MHD_Connection *c, request_t *req, open311_format_t fmt)
{
    json_t *errors = open311_errors_new();
    update_t u;
    memset(&u, 0, sizeof u);
    bool known = false;
    enum MHD_Result rc;
    open311_form_t *form = errors ? open311_post_form(c, req, fmt, errors, &u.app, &known, &rc) : NULL;
    if (!errors)
        rc = http_send_problem(c, req, &PROBLEM_INTERNAL, NULL, NULL, NULL);
    else if (form) {
        check_update(form, &u, errors);
        const char *id = open311_form_get(form, "service_request_id");
        if (id && tracking_id_normalize(id, u.tracking_id) != 0)
            open311_errors_add(errors, 404, "no request has this service_request_id");
        snprintf(u.channel, sizeof u.channel, "%s%s", REPORT_OPEN311_CHANNEL_PREFIX, u.app.name);
        if (json_array_size(errors)) {
            rc = open311_send_errors(c, req, fmt, errors);
            errors = NULL;
        } else if (known && request_limits_admit(c, req, RATE_OPEN311, u.app.name, &rc))
            rc = post_checked(c, req, fmt, &u);
    }
    json_decref(errors);
    open311_form_destroy(&form);
    return rc;
}
