#include "forwarder.h"

#include <ctype.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "forward_store.h"
#include "logger.h"
#include "retry_backoff.h"
#include "upstream_form.h"
#include "upstream_http.h"
#include "upstream_alert.h"

#define KEY_MAX 512

char *forwarder_api_key(const federate_settings_t *settings, const char *institution, char *reason, size_t cap)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", settings->keys_dir, institution);
    FILE *f = fopen(path, "r");
    char key[KEY_MAX + 2] = "";
    size_t n = f ? fread(key, 1, sizeof key - 1, f) : 0;
    if (f)
        fclose(f);
    while (n > 0 && isspace((unsigned char) key[n - 1]))
        n--;
    key[n] = '\0';
    if (n == 0 || n > KEY_MAX) {
        snprintf(reason, cap, "no api_key in %s", path);
        return NULL;
    }
    return strdup(key);
}

typedef struct {
    const federate_settings_t *settings;
    int handled;
} send_ctx_t;

/* The token flow (an upstream that answers POSTs with a token): its id from tokens/{token}. */
static char *id_of_token(const federate_settings_t *s, const forward_t *f, const char *token, char *why, size_t cap)
{
    char url[2048];
    char *escaped = upstream_form_escape(token);
    snprintf(url, sizeof url, "%s/tokens/%s.json", f->base_url, escaped ? escaped : "");
    free(escaped);
    upstream_reply_t reply = {0};
    upstream_answer_t answer = {0};
    char *id = NULL;
    if (token && upstream_http(url, NULL, s->timeout_ms, &reply, why, cap) == 0 && reply.status == 200
        && upstream_form_answer(reply.body, &answer) == 0 && answer.service_request_id) {
        id = answer.service_request_id;
        answer.service_request_id = NULL;
    } else if (!why[0]) {
        snprintf(why, cap, "token %s not resolved yet (HTTP %ld)", token, reply.status);
    }
    upstream_answer_clear(&answer);
    upstream_reply_clear(&reply);
    return id;
}

/* POSTs the forward; 0 with *upstream_id, 1 refused for good (*why), -1 failed this time (*why). */
static int post(const federate_settings_t *s, const forward_t *f, char **upstream_id, char *why, size_t cap)
{
    *upstream_id = NULL;
    char *key = forwarder_api_key(s, f->institution, why, cap);
    const char *refusal = NULL;
    upstream_report_t report = {
        .api_key = key, .jurisdiction_id = f->jurisdiction_id, .service_code = f->service_code,
        .origin = s->origin, .tracking_id = f->tracking_id, .title = f->title, .body = f->body,
        .address = f->address, .has_position = f->has_position, .lat = f->lat, .lon = f->lon,
        .anonymous = f->anonymous, .confidential = f->confidential, .reporter_name = f->reporter_name,
        .reporter_email = f->reporter_email, .reporter_phone = f->reporter_phone,
    };
    char *form = key ? upstream_form_request(&report, &refusal) : NULL;
    if (key)
        sodium_memzero(key, strlen(key));
    free(key);
    if (!form) {
        if (refusal)
            snprintf(why, cap, "%s", refusal);
        return refusal && f->confidential ? 1 : -1;
    }
    char url[2048];
    snprintf(url, sizeof url, "%s/requests.json", f->base_url);
    upstream_reply_t reply = {0};
    upstream_answer_t answer = {0};
    int rc = -1;
    if (upstream_http(url, form, s->timeout_ms, &reply, why, cap) == 0) {
        int parsed = upstream_form_answer(reply.body, &answer);
        bool client_error = reply.status >= 400 && reply.status < 500 && reply.status != 429 && reply.status != 408;
        if (reply.status / 100 == 2 && parsed == 0) {
            *upstream_id = answer.service_request_id ? strdup(answer.service_request_id)
                                                     : id_of_token(s, f, answer.token, why, cap);
            rc = *upstream_id ? 0 : -1;
        } else if (client_error && parsed == 1) {
            snprintf(why, cap, "HTTP %ld: %s", reply.status, answer.errors);
            rc = 1;
        } else {
            snprintf(why, cap, "HTTP %ld without an Open311 answer", reply.status);
        }
    }
    sodium_memzero(form, strlen(form));
    free(form);
    upstream_answer_clear(&answer);
    upstream_reply_clear(&reply);
    return rc;
}

static int send_tx(db_t *db, void *ctx, db_error_t *error)
{
    send_ctx_t *c = ctx;
    const federate_settings_t *s = c->settings;
    int64_t now = clock_now_ms();
    forward_t f;
    int rc = forward_store_claim_due(db, now, &f, error);
    c->handled = rc == 0;
    if (rc != 0) {
        forward_clear(&f);
        return rc < 0 ? -1 : 0;
    }
    char why[512] = "";
    char *upstream_id = NULL;
    int sent = post(s, &f, &upstream_id, why, sizeof why);
    if (sent == 0) {
        rc = forward_store_forwarded(db, f.id, upstream_id, error);
        logger_info("report %s forwarded to %s as %s", f.tracking_id, f.institution, upstream_id);
    } else if (sent == 1) {
        rc = forward_store_refused(db, f.id, why, error);
        logger_warn("report %s refused by %s: %s", f.tracking_id, f.institution, why);
        if (rc == 0)
            rc = upstream_alert(db, &f, why, error);
    } else {
        int failed = f.attempts + 1;
        bool alert = failed >= s->alert_after && !f.alerted;
        int64_t next = now + retry_backoff_ms(failed, s->retry_base_ms, s->retry_cap_ms, randombytes_random());
        rc = forward_store_failed(db, f.id, why, next, alert || f.alerted, error);
        logger_warn("report %s not forwarded to %s (attempt %d): %s", f.tracking_id, f.institution, failed, why);
        if (rc == 0 && alert)
            rc = upstream_alert(db, &f, why, error);
    }
    free(upstream_id);
    forward_clear(&f);
    return rc;
}

int forwarder_send_one(db_t *db, const federate_settings_t *settings)
{
    send_ctx_t ctx = {settings, 0};
    db_error_t error = {"", ""};
    if (db_transaction(db, send_tx, &ctx, &error) != 0) {
        logger_warn("forwarding: %s", error.message);
        return -1;
    }
    return ctx.handled;
}
