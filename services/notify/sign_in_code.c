#include "sign_in_code.h"

#include <jansson.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "delivery_store.h"
#include "error_reply.h"
#include "logger.h"
#include "reporter_sign_in_codec.h"
#include "staff_query_codec.h"
#include "template_store.h"

#define EVENT_TYPE "reporter.code"
#define CODE_ATTEMPTS 3

/* The words of template sign_in_code (template_names.h) in the reporter's language: the same
 * text_body by mail and by SMS. 0, 1 no usable template (logged), -1. */
static int compose(db_t *db, const reporter_code_issued_t *c, template_message_t *m, db_error_t *error)
{
    char minutes[16], reason[128];
    snprintf(minutes, sizeof minutes, "%d", REPORTER_CODE_TTL_SECONDS / 60);
    template_values_t v = {0};
    v.of[NAME_CODE] = c->code;
    v.of[NAME_VALID_MINUTES] = minutes;
    int rc = template_store_render(db, TEMPLATE_SIGN_IN_CODE, c->language, &v, m, reason, sizeof reason, error);
    if (rc == 1)
        logger_warn("template " TEMPLATE_SIGN_IN_CODE " (%s) not used: %s; no code sent", c->language, reason);
    return rc;
}

/* The code is in every text: wiped before the memory is given back. */
static void wipe(template_message_t *m)
{
    char *texts[] = {m->subject, m->text, m->html};
    for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++)
        if (texts[i])
            sodium_memzero(texts[i], strlen(texts[i]));
    template_message_clear(m);
}

static char *sms_payload(const reporter_code_issued_t *c, const template_message_t *m, const char *delivery_id)
{
    json_t *body = json_pack("{s:s, s:s, s:s, s:s, s:s}", "delivery_id", delivery_id, "to", c->address, "text",
                             m->text, "language", c->language, "event_type", EVENT_TYPE);
    char *text = body ? json_dumps(body, JSON_COMPACT) : NULL;
    json_decref(body);
    return text;
}

/* Queues the message and wakes the senders. 0, 1 not sendable on this channel, -1. */
static int queue(const sign_in_code_t *self, const reporter_code_issued_t *c, db_error_t *error)
{
    bool sms = strcmp(c->channel, "sms") == 0;
    if (sms && !self->settings->sms_enabled)
        return 1;
    /* Each code is a message of its own: the id is random, not derived from an event. */
    unsigned char random[16];
    char event_id[64], delivery_id[DELIVERY_ID_LEN + 1];
    randombytes_buf(random, sizeof random);
    memcpy(event_id, "reporter-code/", 14);
    sodium_bin2hex(event_id + 14, sizeof event_id - 14, random, sizeof random);
    delivery_store_make_id(self->settings->delivery_id_key, event_id, c->channel, "reporter", c->address, delivery_id);
    template_message_t m;
    int rc = compose(self->db, c, &m, error);
    if (rc != 0)
        return rc < 0 ? -1 : 0;
    char *payload = sms ? sms_payload(c, &m, delivery_id) : NULL;
    int attempts = self->settings->max_attempts < CODE_ATTEMPTS ? self->settings->max_attempts : CODE_ATTEMPTS;
    delivery_t d = {.delivery_id = delivery_id, .event_id = event_id, .event_type = EVENT_TYPE,
                    .channel = c->channel, .recipient_kind = "reporter", .recipient = c->address,
                    .language = c->language, .subject = sms ? NULL : m.subject, .body_text = m.text,
                    .body_html = sms ? NULL : m.html, .payload = payload, .max_attempts = attempts};
    bool created = false;
    rc = sms && !payload ? -1 : delivery_store_add(self->db, &d, &created, error);
    if (payload)
        sodium_memzero(payload, strlen(payload));
    free(payload);
    wipe(&m);
    return rc;
}

static int answer_empty(envelope_t *reply)
{
    char empty[] = "{}";
    staff_document_t doc = {empty};
    unsigned char *body = NULL;
    size_t size = 0;
    if (staff_document_encode(&doc, &body, &size) != 0)
        return error_reply_simple(reply, ERROR_INTERNAL, "the answer could not be encoded");
    envelope_set_type(reply, MSG_STAFF_DOCUMENT);
    envelope_take_body(reply, body, size);
    return 0;
}

static bool complete(const reporter_code_issued_t *c)
{
    return c->channel && c->address && c->code && c->language
           && (strcmp(c->channel, "email") == 0 || strcmp(c->channel, "sms") == 0);
}

int notify_sign_in_code_send(void *ctx, const envelope_t *request, envelope_t *reply)
{
    const sign_in_code_t *self = ctx;
    reporter_code_issued_t code;
    char reason[200];
    if (reporter_code_issued_decode(request->body, request->body_size, &code, reason, sizeof reason) != 0)
        return error_reply_simple(reply, ERROR_BAD_MESSAGE, reason);
    int rc = 0;
    db_error_t error = {"", ""};
    if (code.deliver && !complete(&code))
        rc = error_reply_simple(reply, ERROR_BAD_MESSAGE, "a code to deliver needs channel, address, code, language");
    else if (code.deliver && (rc = queue(self, &code, &error)) < 0) {
        logger_error("database: %s %s", error.sqlstate, error.message);
        rc = error_reply_simple(reply, ERROR_UNAVAILABLE, "the code could not be queued; try again");
    } else {
        if (rc == 1)
            logger_warn("a sign-in code for a phone number was asked, but no SMS provider is set");
        rc = answer_empty(reply);
    }
    reporter_code_issued_clear(&code);
    return rc;
}

int sign_in_code_register(cmd_server_t *server, sign_in_code_t *self)
{
    return cmd_server_on(server, MSG_REPORTER_CODE_SEND, CURVE_ROLE_GATEWAY, notify_sign_in_code_send, self);
}
