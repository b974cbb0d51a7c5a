#include "fanout.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "delivery_store.h"
#include "fanout_run.h"
#include "follower_store.h"
#include "logger.h"
#include "template_store.h"
#include "report_events.h"
#include "report_lifecycle.h"

#define LANGUAGES 2   /* id, en */

/* A template rendered for this event in one language: every recipient of that template and
 * language gets the same words, so each is rendered (and read from the table) once per event. */
typedef struct rendered_t {
    char *template;
    int language;
    bool to_reporter;              /* the words differ only in the content they may show */
    bool usable;
    template_message_t message;
    struct rendered_t *next;
} rendered_t;

/* What one event means to whoever reads about it, in both languages. */
typedef struct {
    const event_t *event;
    const fanout_settings_t *settings;
    fanout_run_t *run;
    json_t *event_json;            /* the event as the stream shows it */
    json_t *payload;               /* borrowed from event_json */
    const PGresult *row;           /* the run's rows (fanout_run.h), owned by the run */
    int n;                         /* this event's */
    bool has_report;
    char tracking_url[512];
    rendered_t *rendered;
    json_t *deliveries;            /* the run's (fanout_run_deliveries), borrowed */
} fanout_t;

static const char *const language_codes[LANGUAGES] = {"id", "en"};

static const char *payload_text(const fanout_t *f, const char *key)
{
    json_t *value = f->payload ? json_object_get(f->payload, key) : NULL;
    return json_is_string(value) ? json_string_value(value) : NULL;
}

static const char *report_field(const fanout_t *f, int column)
{
    return f->has_report && !PQgetisnull(f->row, f->n, column) ? PQgetvalue(f->row, f->n, column) : NULL;
}

/* The institution an event is about: the one it names (the report's holder after the step). Never
 * the holder at the time notify reads the report, so a late or replayed event reaches the same
 * people as a prompt one. */
static const char *event_institution(const fanout_t *f)
{
    return f->event->institution;
}

/* Words for the event's codes: 0-1 its status, 2 the institution's name, 3-4 the reason, 5-6 the
 * deadline (per language), 7 the last day of a clock. */
static const char *label(const fanout_t *f, int column)
{
    int at = FANOUT_LABELS + column;
    return PQgetisnull(f->row, f->n, at) ? NULL : PQgetvalue(f->row, f->n, at);
}

/* The one rule for the report's content (title, note) in a message, as in events
 * (report_events.h): never for a confidential report; for anyone but its own reporter, only once
 * the report's privacy is settled, since a verifier may still make it anonymous or confidential
 * and a message, once stored and sent, is not taken back. */
static bool content_shown(const fanout_t *f, bool to_reporter)
{
    const char *confidential = report_field(f, FANOUT_R_CONFIDENTIAL);
    if (!confidential || confidential[0] != 'f')
        return false;
    return to_reporter || lifecycle_privacy_settled(report_field(f, FANOUT_R_STATUS));
}

/* The values of the template language (template_names.h) for one language and audience. */
static template_values_t template_values(const fanout_t *f, int language, bool to_reporter)
{
    bool content = content_shown(f, to_reporter);
    template_values_t v = {0};
    v.of[NAME_TRACKING_ID] = f->event->tracking_id;
    v.of[NAME_TITLE] = content ? report_field(f, FANOUT_R_TITLE) : NULL;
    v.of[NAME_STATUS] = label(f, language);
    v.of[NAME_INSTITUTION] = label(f, 2);
    v.of[NAME_NOTE] = content ? report_field(f, FANOUT_R_NOTE) : NULL;
    v.of[NAME_REASON] = label(f, 3 + language);
    v.of[NAME_DEADLINE] = label(f, 5 + language);
    v.of[NAME_DUE_DATE] = label(f, 7);
    v.of[NAME_TRACKING_URL] = f->tracking_url;
    v.of[NAME_EVENT_TYPE] = f->event->type;
    return v;
}

/* The template in the language with those values. 0 rendered, 1 no usable template (logged: an
 * operator's edit must not stop the stream), -1 error. */
static int render_with(db_t *db, const fanout_t *f, const char *template, int language, const template_values_t *v,
                       template_message_t *m, db_error_t *error)
{
    char reason[128];
    const char *params[] = {template, language_codes[language]};
    const PGresult *words = fanout_run_query(f->run, db, template_store_words_sql, 2, params, error);
    if (!words)
        return -1;
    int rc = template_store_render_words(words, template, v, m, reason, sizeof reason);
    if (rc == 1)
        logger_warn("template %s (%s) not used for %s: %s", template, language_codes[language], f->event->type,
                    reason);
    return rc;
}

static void fanout_clear(fanout_t *f)
{
    while (f->rendered) {
        rendered_t *next = f->rendered->next;
        free(f->rendered->template);
        template_message_clear(&f->rendered->message);
        free(f->rendered);
        f->rendered = next;
    }
    json_decref(f->event_json);
}

/* The template in the language for this event and audience. */
static int render(db_t *db, const fanout_t *f, const rendered_t *key, template_message_t *m, db_error_t *error)
{
    template_values_t v = template_values(f, key->language, key->to_reporter);
    return render_with(db, f, key->template, key->language, &v, m, error);
}

/* The message of a template in a language for this event and audience, rendered on first use:
 * 0 with *m, 1 the template is not usable, -1 error. */
static int rendered(db_t *db, fanout_t *f, const char *template, int language, bool to_reporter,
                    const template_message_t **m, db_error_t *error)
{
    rendered_t *r = f->rendered;
    while (r && (r->language != language || r->to_reporter != to_reporter || strcmp(r->template, template) != 0))
        r = r->next;
    if (!r) {
        if (!(r = calloc(1, sizeof *r)) || !(r->template = strdup(template))) {
            free(r);
            snprintf(error->message, sizeof error->message, "out of memory");
            return -1;
        }
        r->language = language;
        r->to_reporter = to_reporter;
        int rc = render(db, f, r, &r->message, error);
        if (rc < 0) {
            free(r->template);
            free(r);
            return -1;
        }
        r->usable = rc == 0;
        r->next = f->rendered;
        f->rendered = r;
    }
    *m = &r->message;
    return r->usable ? 0 : 1;
}

static int language_index(const char *code)
{
    return code && strcmp(code, "en") == 0 ? 1 : 0;
}

typedef struct {
    const char *channel, *template, *kind, *recipient;
    int64_t staff_id, webhook_id;
    int language;
} target_t;

static int add(fanout_t *f, const target_t *t, const template_message_t *m, const char *payload,
               const char *delivery_id, const char *list_unsubscribe, db_error_t *error)
{
    delivery_t d = {
        .delivery_id = delivery_id, .event_id = f->event->id, .event_seq = f->event->seq,
        .event_type = f->event->type, .report_id = f->has_report ? strtoll(report_field(f, FANOUT_R_ID), NULL, 10) : 0,
        .tracking_id = f->event->tracking_id, .institution = event_institution(f), .channel = t->channel,
        .recipient_kind = t->kind, .recipient = t->recipient, .staff_id = t->staff_id, .webhook_id = t->webhook_id,
        .language = language_codes[t->language], .subject = m ? m->subject : NULL, .body_text = m ? m->text : NULL,
        .body_html = m ? m->html : NULL, .payload = payload, .list_unsubscribe = list_unsubscribe,
        .max_attempts = f->settings->max_attempts,
    };
    if (delivery_set_add(f->deliveries, &d) == 0)
        return 0;
    snprintf(error->message, sizeof error->message, "out of memory");
    return -1;
}

/* The JSON body of a delivery that goes out over HTTP: the event for webhooks, the message for
 * the SMS provider (docs/notifications.md). */
static char *http_payload(const fanout_t *f, const target_t *t, const template_message_t *m, const char *delivery_id)
{
    json_t *body = strcmp(t->channel, "sms") == 0
        ? json_pack("{s:s, s:s, s:s, s:s, s:s?, s:s}", "delivery_id", delivery_id, "to", t->recipient, "text",
                    m->text, "language", language_codes[t->language], "report", f->event->tracking_id,
                    "event_type", f->event->type)
        : json_pack("{s:s, s:I, s:O}", "delivery_id", delivery_id, "webhook_id", (json_int_t) t->webhook_id,
                    "event", f->event_json);
    char *text = body ? json_dumps(body, JSON_COMPACT) : NULL;
    json_decref(body);
    return text;
}

static int deliver(db_t *db, fanout_t *f, const target_t *t, db_error_t *error)
{
    char delivery_id[DELIVERY_ID_LEN + 1];
    delivery_store_make_id(f->settings->delivery_id_key, f->event->id, t->channel, t->kind, t->recipient, delivery_id);
    static const template_message_t none = {0};
    const template_message_t *m = &none;
    bool to_reporter = strcmp(t->kind, "reporter") == 0;
    int rc = t->template ? rendered(db, f, t->template, t->language, to_reporter, &m, error) : 0;
    if (rc != 0)
        return rc < 0 ? -1 : 0;
    char *payload = NULL;
    bool over_http = strcmp(t->channel, "sms") == 0 || strcmp(t->channel, "webhook") == 0;
    if (over_http && !(payload = http_payload(f, t, m, delivery_id))) {
        snprintf(error->message, sizeof error->message, "cannot encode the payload of %s", delivery_id);
        rc = -1;
    }
    if (rc == 0)
        rc = add(f, t, over_http && strcmp(t->channel, "webhook") == 0 ? NULL : m, payload, delivery_id, NULL, error);
    free(payload);
    return rc;
}

static int to_reporter(db_t *db, fanout_t *f, const char *channel, const char *template, db_error_t *error)
{
    if (!f->has_report || report_field(f, FANOUT_R_NOTIFY)[0] != 't')
        return 0;
    bool sms = strcmp(channel, "sms") == 0;
    const char *address = report_field(f, sms ? FANOUT_R_PHONE : FANOUT_R_EMAIL);
    if (!address || (sms && !f->settings->sms_enabled))
        return 0;
    target_t t = {channel, template, "reporter", address, 0, 0, language_index(report_field(f, FANOUT_R_LANGUAGE))};
    return deliver(db, f, &t, error);
}

/* holder_staff: everyone active at the institution the event names; admins_above: admins of it
 * and of every institution above it (national admins when the event names none). */
static const char staff_sql[] =
    "SELECT id, email, language FROM staff WHERE active AND ("
    "  ($1 = 'holder_staff' AND institution_code = $2) OR "
    "  ($1 = 'admins_above' AND role IN ('national_admin', 'institution_admin') "
    "     AND CASE WHEN $2::text IS NULL THEN role = 'national_admin' ELSE institution_within($2, institution_code) END)) "
    "ORDER BY id";

static int to_staff(db_t *db, fanout_t *f, const char *audience, const char *channel, const char *template,
                    db_error_t *error)
{
    const char *params[] = {audience, event_institution(f)};
    const PGresult *r = fanout_run_query(f->run, db, staff_sql, 2, params, error);
    if (!r)
        return -1;
    int rc = 0;
    bool email = strcmp(channel, "email") == 0;
    for (int i = 0; rc == 0 && i < PQntuples(r); i++) {
        if (email && PQgetisnull(r, i, 1))
            continue;
        target_t t = {channel, template, "staff", PQgetvalue(r, i, email ? 1 : 0), strtoll(PQgetvalue(r, i, 0), NULL, 10),
                      0, language_index(PQgetvalue(r, i, 2))};
        rc = deliver(db, f, &t, error);
    }
    return rc;
}

static const char rules_sql[] =
    "SELECT audience, channel, template FROM notification_rules WHERE enabled "
    "AND event_type = $1 AND (only_action IS NULL OR only_action = $2) ORDER BY audience, channel";

static int by_rules(db_t *db, fanout_t *f, db_error_t *error)
{
    const char *params[] = {f->event->type, payload_text(f, "action")};
    const PGresult *r = fanout_run_query(f->run, db, rules_sql, 2, params, error);
    if (!r)
        return -1;
    int rc = 0;
    for (int i = 0; rc == 0 && i < PQntuples(r); i++) {
        const char *audience = PQgetvalue(r, i, 0), *channel = PQgetvalue(r, i, 1), *template = PQgetvalue(r, i, 2);
        rc = strcmp(audience, "reporter") == 0 ? to_reporter(db, f, channel, template, error)
                                               : to_staff(db, f, audience, channel, template, error);
    }
    return rc;
}

/* Webhooks of the event's institution or any above it; an event that names no institution yet
 * (a new report) goes to those registered at the root. */
static const char webhooks_sql[] =
    "SELECT w.id FROM webhooks w WHERE w.active "
    "  AND (cardinality(w.event_types) = 0 OR $1 = ANY (w.event_types)) "
    "  AND institution_within(COALESCE($2, (SELECT code FROM institutions WHERE parent_code IS NULL "
    "                                       ORDER BY code LIMIT 1)), w.institution_code) ORDER BY w.id";

static int to_webhooks(db_t *db, fanout_t *f, db_error_t *error)
{
    const char *params[] = {f->event->type, event_institution(f)};
    const PGresult *r = fanout_run_query(f->run, db, webhooks_sql, 2, params, error);
    if (!r)
        return -1;
    int rc = 0;
    for (int i = 0; rc == 0 && i < PQntuples(r); i++) {
        target_t t = {"webhook", NULL, "webhook", PQgetvalue(r, i, 0), 0, strtoll(PQgetvalue(r, i, 0), NULL, 10), 0};
        rc = deliver(db, f, &t, error);
    }
    return rc;
}

/* The public steps a follower hears of: the report's public status or holder changed, or the
 * institution answered. Never internal notes or assignments, nor what only the reporter and the
 * desk share (postponement, the reporter's replies and data). */
static bool follower_hears(const char *type)
{
    static const char *const types[] = {EVENT_REPORT_DISPATCHED, EVENT_REPORT_TRANSFERRED, EVENT_REPORT_FOLLOWED_UP,
                                        EVENT_REPORT_CLOSED, EVENT_REPORT_REOPENED};
    for (size_t i = 0; i < sizeof types / sizeof types[0]; i++)
        if (strcmp(type, types[i]) == 0)
            return true;
    return false;
}

/* One follower's message: rendered for them alone, since it carries their unsubscribe link. */
static int to_follower(db_t *db, fanout_t *f, PGresult *r, int row, db_error_t *error)
{
    char token[FOLLOWER_UNSUBSCRIBE_TOKEN_LEN + 1], page[512], one_click[512], delivery_id[DELIVERY_ID_LEN + 1];
    follower_store_unsubscribe_token(f->settings->delivery_id_key, strtoll(PQgetvalue(r, row, 0), NULL, 10), token);
    snprintf(page, sizeof page, "%s/ikuti#berhenti=%s", f->settings->public_url, token);
    snprintf(one_click, sizeof one_click, "%s/api/v1/followers/unsubscribe/%s", f->settings->public_url, token);
    int language = language_index(PQgetvalue(r, row, 2));
    template_values_t v = template_values(f, language, false);
    v.of[NAME_UNSUBSCRIBE_URL] = page;
    template_message_t m;
    int rc = render_with(db, f, TEMPLATE_FOLLOW_STEP, language, &v, &m, error);
    if (rc != 0)
        return rc < 0 ? -1 : 0;
    const char *email = PQgetvalue(r, row, 1);
    delivery_store_make_id(f->settings->delivery_id_key, f->event->id, "email", "follower", email, delivery_id);
    target_t t = {"email", TEMPLATE_FOLLOW_STEP, "follower", email, 0, 0, language};
    rc = add(f, &t, &m, NULL, delivery_id, one_click, error);
    template_message_clear(&m);
    return rc;
}

/* Confirmed followers hear of a public step while the report is public: never of a confidential
 * one, nor while its privacy is not settled. */
static int to_followers(db_t *db, fanout_t *f, db_error_t *error)
{
    if (!f->has_report || report_field(f, FANOUT_R_FOLLOWED)[0] != 't' || !follower_hears(f->event->type)
        || !content_shown(f, false))
        return 0;
    PGresult *r = follower_store_confirmed(db, strtoll(report_field(f, FANOUT_R_ID), NULL, 10), error);
    if (!r)
        return -1;
    int rc = 0;
    for (int i = 0; rc == 0 && i < PQntuples(r); i++)
        rc = to_follower(db, f, r, i, error);
    PQclear(r);
    return rc;
}

int fanout_run_begin(db_t *db, const event_t *events, size_t count, void *context, db_error_t *error)
{
    return fanout_run_start(((fanout_context_t *) context)->run, db, events, count, error);
}

static int fan_out(db_t *db, fanout_t *f, db_error_t *error)
{
    int rc = by_rules(db, f, error);
    if (rc == 0)
        rc = to_followers(db, f, error);
    if (rc == 0)
        rc = to_webhooks(db, f, error);
    return rc;
}

/* The reporter's own choice about being told: there is nobody to tell of it, and a catch-all
 * webhook has no business knowing it. A support is counted, not announced: one e-mail per
 * supporter would bury the steps the reporter waits for. An attachment is the reporter's own
 * doing, seen by the staff with the report. */
static bool told(const event_t *event)
{
    return strcmp(event->type, EVENT_NOTIFICATIONS_CHANGED) != 0 && strcmp(event->type, EVENT_REPORT_SUPPORTED) != 0
           && strcmp(event->type, EVENT_ATTACHMENT_ADDED) != 0;
}

static int fanout_one(db_t *db, fanout_t *f, db_error_t *error)
{
    f->row = fanout_run_rows(f->run);
    f->has_report = !PQgetisnull(f->row, f->n, FANOUT_R_ID);
    f->deliveries = fanout_run_deliveries(f->run);
    if (!(f->event_json = event_to_json(f->event))) {
        snprintf(error->message, sizeof error->message, "cannot read event %s", f->event->id);
        return -1;
    }
    f->payload = json_object_get(f->event_json, "payload");
    snprintf(f->tracking_url, sizeof f->tracking_url, "%s/lapor/%s", f->settings->public_url,
             f->event->tracking_id ? f->event->tracking_id : "");
    int rc = fan_out(db, f, error);
    fanout_clear(f);
    return rc;
}

int fanout_event(db_t *db, const event_t *event, const fanout_context_t *context, int *deliveries, db_error_t *error)
{
    fanout_t f = {.event = event, .settings = context->settings, .run = context->run};
    *deliveries = 0;
    if ((f.n = fanout_run_row(f.run, event)) < 0) {
        snprintf(error->message, sizeof error->message, "event %s is not in the run read for it", event->id);
        return -1;
    }
    json_t *set = fanout_run_deliveries(f.run);
    size_t before = json_array_size(set);
    int rc = told(event) ? fanout_one(db, &f, error) : 0;
    *deliveries = (int) (json_array_size(set) - before);
    /* Not read back: while the consumer defers, the run's insert costs no round trip. Emptied at
     * once, so an idle member does not keep its last run's rows. */
    if (rc == 0 && fanout_run_is_last(f.run, f.n)) {
        rc = delivery_store_add_set(db, set, NULL, error);
        json_array_clear(set);
    }
    return rc;
}
