#include "follow_commands.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "db_wakeup.h"
#include "delivery_store.h"
#include "error_reply.h"
#include "follow_codec.h"
#include "follower_store.h"
#include "logger.h"
#include "template_store.h"

typedef struct {
    const follow_commands_t *on;
    const char *tracking_id, *email, *language;
    follower_ask_t ask;
    error_reply_t refusal;
} asking_t;

/* The confirmation mail of a pending follow, as a delivery of its own (no event: the address is
 * never on the stream). 0 queued (or no usable template, logged), -1. */
static int queue_confirmation(db_t *db, asking_t *a, db_error_t *error)
{
    const fanout_settings_t *s = a->on->settings;
    char url[512], tracking_url[256], event_id[64], delivery_id[DELIVERY_ID_LEN + 1], reason[128];
    snprintf(url, sizeof url, "%s/ikuti#konfirmasi=%s", s->public_url, a->ask.confirm_token);
    snprintf(tracking_url, sizeof tracking_url, "%s/lapor/%s", s->public_url, a->tracking_id);
    snprintf(event_id, sizeof event_id, "follow-%lld-%lld", (long long) a->ask.follower_id,
             (long long) clock_now_ms());
    template_values_t v = {0};
    v.of[NAME_TRACKING_ID] = a->tracking_id;
    v.of[NAME_TITLE] = a->ask.title;
    v.of[NAME_CONFIRM_URL] = url;
    v.of[NAME_TRACKING_URL] = tracking_url;
    template_message_t m;
    int rc = template_store_render(db, TEMPLATE_FOLLOW_CONFIRM, a->language, &v, &m, reason, sizeof reason, error);
    if (rc != 0) {
        if (rc == 1)
            logger_warn("template " TEMPLATE_FOLLOW_CONFIRM " (%s) not used: %s", a->language, reason);
        return rc < 0 ? -1 : 0;
    }
    delivery_store_make_id(s->delivery_id_key, event_id, "email", "follower", a->email, delivery_id);
    delivery_t d = {.delivery_id = delivery_id, .event_id = event_id, .event_type = MSG_FOLLOW_CONFIRM,
                    .report_id = a->ask.report_id, .tracking_id = a->tracking_id, .channel = "email",
                    .recipient_kind = "follower", .recipient = a->email, .language = a->language,
                    .subject = m.subject, .body_text = m.text, .body_html = m.html, .max_attempts = s->max_attempts};
    bool created = false;
    rc = delivery_store_add(db, &d, &created, error);
    template_message_clear(&m);
    return rc;
}

static int ask_in_transaction(db_t *db, void *ctx, db_error_t *error)
{
    asking_t *a = ctx;
    follower_ask_clear(&a->ask);
    int rc = follower_store_ask(db, a->on->settings->delivery_id_key, a->tracking_id, a->email, a->language, &a->ask,
                                &a->refusal, error);
    if (rc == 0 && a->ask.confirm_token[0])
        rc = queue_confirmation(db, a, error);
    return rc;
}

static int answer_state(envelope_t *reply, const char *tracking_id, const char *state)
{
    follow_state_t answer = {strdup(tracking_id), strdup(state)};
    unsigned char *body = NULL;
    size_t size = 0;
    int rc = answer.tracking_id && answer.state ? follow_state_encode(&answer, &body, &size) : -1;
    follow_state_clear(&answer);
    if (rc != 0)
        return -1;
    envelope_set_type(reply, MSG_FOLLOW_STATE);
    envelope_take_body(reply, body, size);
    return 0;
}

static int database_down(envelope_t *reply, const db_error_t *error)
{
    logger_error("database: %s %s", error->sqlstate, error->message);
    return error_reply_simple(reply, ERROR_UNAVAILABLE, "the database is not reachable; try again");
}

static int on_follow(void *ctx, const envelope_t *request, envelope_t *reply)
{
    follow_request_t q;
    char reason[256], email[FOLLOW_EMAIL_MAX + 1];
    if (follow_request_decode(request->body, request->body_size, &q, reason, sizeof reason) != 0)
        return error_reply_simple(reply, ERROR_BAD_MESSAGE, reason);
    const char *language = q.language ? q.language : "id";
    int rc;
    if (!q.tracking_id || !q.email || follow_email_normalize(q.email, email) != 0
        || (strcmp(language, "id") != 0 && strcmp(language, "en") != 0))
        rc = error_reply_simple(reply, ERROR_INVALID, "a tracking id, an e-mail address and the language id or en");
    else {
        asking_t a = {.on = ctx, .tracking_id = q.tracking_id, .email = email, .language = language};
        db_error_t error = {"", ""};
        int outcome = db_transaction(a.on->db, ask_in_transaction, &a, &error);
        if (outcome == 1)
            rc = error_reply_into(reply, &a.refusal);
        else if (outcome < 0)
            rc = database_down(reply, &error);
        else
            rc = answer_state(reply, q.tracking_id, "pending");
        follower_ask_clear(&a.ask);
    }
    follow_request_clear(&q);
    return rc;
}

typedef int (token_fn)(db_t *db, const char *token, char **tracking_id, error_reply_t *refusal, db_error_t *error);

static int by_token(const follow_commands_t *on, const envelope_t *request, envelope_t *reply, token_fn *fn,
                    const char *state)
{
    follow_request_t q;
    char reason[256];
    if (follow_request_decode(request->body, request->body_size, &q, reason, sizeof reason) != 0)
        return error_reply_simple(reply, ERROR_BAD_MESSAGE, reason);
    char *tracking_id = NULL;
    error_reply_t refusal;
    db_error_t error = {"", ""};
    int rc = q.token ? fn(on->db, q.token, &tracking_id, &refusal, &error)
                     : error_reply_refuse(&refusal, ERROR_NOT_FOUND, "this link is not valid (any more)");
    if (rc == 1)
        rc = error_reply_into(reply, &refusal);
    else if (rc < 0)
        rc = database_down(reply, &error);
    else {
        logger_info("a follower of %s: %s", tracking_id, state);
        rc = answer_state(reply, tracking_id, state);
    }
    free(tracking_id);
    follow_request_clear(&q);
    return rc;
}

static int on_confirm(void *ctx, const envelope_t *request, envelope_t *reply)
{
    return by_token(ctx, request, reply, follower_store_confirm, "confirmed");
}

static int on_unsubscribe(void *ctx, const envelope_t *request, envelope_t *reply)
{
    return by_token(ctx, request, reply, follower_store_unsubscribe, "unsubscribed");
}

int follow_commands_register(cmd_server_t *server, follow_commands_t *commands)
{
    if (cmd_server_on(server, MSG_REPORT_FOLLOW, CURVE_ROLE_GATEWAY, on_follow, commands) != 0
        || cmd_server_on(server, MSG_FOLLOW_CONFIRM, CURVE_ROLE_GATEWAY, on_confirm, commands) != 0)
        return -1;
    return cmd_server_on(server, MSG_FOLLOW_UNSUBSCRIBE, CURVE_ROLE_GATEWAY, on_unsubscribe, commands);
}
