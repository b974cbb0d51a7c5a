#include "mirror.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "forward_store.h"
#include "lifecycle_store.h"
#include "logger.h"
#include "upstream_form.h"
#include "upstream_http.h"

/* Upstream notes that are the upstream's own handling (its desk, its routing, the reporter's
 * words, which came from here) rather than news for the reporter; a close is mirrored from the
 * status. */
static const char *const quiet_types[] = {"submitted", "verify", "not_our_authority", "postpone", "archive",
                                          "link_duplicate", "add_data", "reply", "route", "dispatch",
                                          "transfer", "close", "auto_close", "reopen", NULL};

static bool quiet(const char *type)
{
    for (int i = 0; type && quiet_types[i]; i++)
        if (strcmp(type, quiet_types[i]) == 0)
            return true;
    return false;
}

/* One system step; a refusal (the report moved on here meanwhile) is logged and passed over, so
 * one odd note does not stop the mirror for good. */
static int step(db_t *db, const forward_t *f, const char *action, const char *note, const char *request_id,
                db_error_t *error)
{
    report_step_t s;
    lifecycle_context_t context = {request_id, clock_now_ms()};
    report_outcome_t outcome = {0};
    error_reply_t refusal;
    int rc = -1;
    if (report_step_system(&s, f->tracking_id, action, f->institution, note) == 0)
        rc = lifecycle_store_apply(db, &s, &context, &outcome, &refusal, error);
    report_step_clear(&s);
    report_outcome_clear(&outcome);
    if (rc == 1)
        logger_warn("report %s: %s from upstream not applied: %s %s", f->tracking_id, action, refusal.code,
                    refusal.detail);
    else if (rc == 0)
        logger_info("report %s: %s mirrored from %s", f->tracking_id, action, f->institution);
    return rc < 0 ? -1 : 0;
}

/* The close's own words: with notes, those of the last closing note (aduan names the action when the
 * closer wrote nothing); without notes (a server without extensions), status_notes. Not
 * status_notes with notes: it is the latest note of any kind, often the follow-up mirrored already. */
static const char *closing_remark(const json_t *request, const json_t *notes)
{
    if (!json_is_array(notes)) {
        const char *text = json_string_value(json_object_get(request, "status_notes"));
        return text && *text ? text : NULL;
    }
    for (size_t i = json_array_size(notes); i > 0; i--) {
        const json_t *note = json_array_get(notes, i - 1);
        const char *type = json_string_value(json_object_get(note, "type"));
        const char *summary = json_string_value(json_object_get(note, "summary"));
        if (type && (strcmp(type, "close") == 0 || strcmp(type, "auto_close") == 0))
            return summary && *summary && strcmp(summary, type) != 0 ? summary : NULL;
    }
    return NULL;
}

static int mirror(db_t *db, const forward_t *f, const json_t *request, db_error_t *error)
{
    const json_t *notes = json_object_get(request, "notes");
    int count = json_is_array(notes) ? (int) json_array_size(notes) : 0;
    char request_id[128];
    for (int i = f->notes_seen; i < count; i++) {
        const json_t *note = json_array_get(notes, (size_t) i);
        const char *type = json_string_value(json_object_get(note, "type"));
        const char *summary = json_string_value(json_object_get(note, "summary"));
        snprintf(request_id, sizeof request_id, "federate:%lld:note:%d", (long long) f->id, i);
        if (!quiet(type) && summary && *summary && step(db, f, "upstream_follow_up", summary, request_id, error) != 0)
            return -1;
    }
    const char *status = json_string_value(json_object_get(request, "status"));
    bool closed_now = status && strcmp(status, "closed") == 0;
    bool closed_before = f->upstream_status && strcmp(f->upstream_status, "closed") == 0;
    if (closed_now && !closed_before) {
        snprintf(request_id, sizeof request_id, "federate:%lld:close:%d", (long long) f->id, count);
        if (step(db, f, "upstream_close", closing_remark(request, notes), request_id, error) != 0)
            return -1;
    }
    return forward_store_polled(db, f->id, clock_now_ms(), status, count > f->notes_seen ? count : f->notes_seen,
                                error);
}

/* GET the one request; NULL (logged) when the upstream gave no usable answer this time. */
static json_t *fetch(const federate_settings_t *s, const forward_t *f)
{
    char url[2048], why[256] = "";
    char *id = upstream_form_escape(f->upstream_id), *jurisdiction = upstream_form_escape(f->jurisdiction_id);
    snprintf(url, sizeof url, "%s/requests/%s.json?extensions=true%s%s", f->base_url, id ? id : "",
             f->jurisdiction_id ? "&jurisdiction_id=" : "", f->jurisdiction_id && jurisdiction ? jurisdiction : "");
    free(id);
    free(jurisdiction);
    upstream_reply_t reply = {0};
    json_t *list = NULL;
    if (upstream_http(url, NULL, s->timeout_ms, &reply, why, sizeof why) == 0 && reply.status == 200)
        list = json_loads(reply.body, 0, NULL);
    json_t *request = json_is_array(list) ? json_incref(json_array_get(list, 0)) : NULL;
    if (!json_is_object(request))
        logger_warn("report %s: polling %s failed: %s (HTTP %ld)", f->tracking_id, f->institution, why, reply.status);
    json_decref(list);
    upstream_reply_clear(&reply);
    if (!json_is_object(request)) {
        json_decref(request);
        return NULL;
    }
    return request;
}

typedef struct {
    const federate_settings_t *settings;
    int handled;
} poll_ctx_t;

static int poll_tx(db_t *db, void *ctx, db_error_t *error)
{
    poll_ctx_t *c = ctx;
    forward_t f;
    int rc = forward_store_claim_poll(db, clock_now_ms(), c->settings->poll_ms, &f, error);
    c->handled = rc == 0;
    if (rc != 0) {
        forward_clear(&f);
        return rc < 0 ? -1 : 0;
    }
    json_t *request = fetch(c->settings, &f);
    rc = request ? mirror(db, &f, request, error)
                 : forward_store_polled(db, f.id, clock_now_ms(), f.upstream_status, f.notes_seen, error);
    json_decref(request);
    forward_clear(&f);
    return rc;
}

int mirror_poll_one(db_t *db, const federate_settings_t *settings)
{
    poll_ctx_t ctx = {settings, 0};
    db_error_t error = {"", ""};
    if (db_transaction(db, poll_tx, &ctx, &error) != 0) {
        logger_warn("polling upstreams: %s", error.message);
        return -1;
    }
    return ctx.handled;
}
