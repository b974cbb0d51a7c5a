#include "template_store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config_events.h"
#include "message_types.h"
#include "utf8_text.h"

void template_message_clear(template_message_t *m)
{
    free(m->subject);
    free(m->text);
    free(m->html);
    *m = (template_message_t) {0};
}

int template_store_render(db_t *db, const char *template, const char *language, const template_value_t *values,
                          size_t count, template_message_t *m, char *reason, size_t cap, db_error_t *error)
{
    *m = (template_message_t) {0};
    const char *params[] = {template, language};
    PGresult *r = db_exec(db, "SELECT subject, text_body, html_body FROM notification_templates "
                              "WHERE template = $1 AND language IN ($2, 'id') ORDER BY language = $2 DESC LIMIT 1",
                          2, params, error);
    if (!r)
        return -1;
    snprintf(reason, cap, "no such template");
    if (PQntuples(r) == 1) {
        m->subject = notify_template_render(PQgetvalue(r, 0, 0), values, count, false, reason, cap);
        m->text = m->subject ? notify_template_render(PQgetvalue(r, 0, 1), values, count, false, reason, cap) : NULL;
        m->html = m->text ? notify_template_render(PQgetvalue(r, 0, 2), values, count, true, reason, cap) : NULL;
    }
    PQclear(r);
    if (!m->html) {
        template_message_clear(m);
        return 1;
    }
    return 0;
}

#define SUBJECT_MAX 300
#define BODY_MAX 20000
#define TEMPLATE_JSON \
    "json_build_object('template', t.template, 'language', t.language, 'subject', t.subject, " \
    "'text_body', t.text_body, 'html_body', t.html_body, 'event_types', (SELECT COALESCE(json_agg(DISTINCT " \
    "r.event_type), '[]') FROM notification_rules r WHERE r.template = t.template))"

int template_store_list(db_t *db, char **json, db_error_t *error)
{
    char names[512] = "";
    size_t len = 0;
    for (size_t i = 0; i < NOTIFY_TEMPLATE_NAME_COUNT && len < sizeof names; i++)
        len += (size_t) snprintf(names + len, sizeof names - len, "%s%s", i ? "," : "", notify_template_names[i]);
    const char *params[] = {names};
    return db_query_value(db, "SELECT json_build_object('templates', COALESCE((SELECT json_agg(" TEMPLATE_JSON
                              " ORDER BY t.template, t.language) FROM notification_templates t), '[]'), "
                              "'names', string_to_array($1, ','))::text", 1, params, json, error);
}

static void check_text(field_errors_t *errors, const char *field, const char *text, long max)
{
    char reason[160];
    long length = text ? utf8_text_length(text, strlen(text)) : 0;
    if (!text || length < 1 || length > max)
        field_errors_add(errors, field, text ? "invalid" : "required", "%s must be 1 to %ld characters", field, max);
    else if (notify_template_check(text, reason, sizeof reason) != 0)
        field_errors_add(errors, field, "placeholder", "%s", reason);
}

int template_store_validate(db_t *db, const template_change_t *change, bool stored, error_reply_t *refusal,
                            db_error_t *error)
{
    field_errors_t errors;
    field_errors_clear(&errors);
    if (!change->language || (strcmp(change->language, "id") != 0 && strcmp(change->language, "en") != 0))
        field_errors_add(&errors, "language", change->language ? "invalid" : "required", "language must be id or en");
    check_text(&errors, "subject", change->subject, SUBJECT_MAX);
    check_text(&errors, "text_body", change->text_body, BODY_MAX);
    check_text(&errors, "html_body", change->html_body, BODY_MAX);
    if (stored) {
        const char *params[] = {change->template};
        char *found = NULL;
        if (change->template
            && db_query_value(db, "SELECT 'x' WHERE EXISTS (SELECT 1 FROM notification_rules WHERE template = $1) "
                                  "OR EXISTS (SELECT 1 FROM notification_templates WHERE template = $1)",
                              1, params, &found, error) != 0)
            return -1;
        if (!found)
            field_errors_add(&errors, "template", change->template ? "unknown" : "required",
                             "template must be the name of a template a notification rule uses");
        free(found);
    }
    if (!errors.count)
        return 0;
    return error_reply_refuse_fields(refusal, "the template has invalid fields", &errors);
}

int template_store_set(db_t *db, const template_change_t *change, char **json, error_reply_t *refusal,
                       db_error_t *error)
{
    int rc = template_store_validate(db, change, true, refusal, error);
    if (rc != 0)
        return rc;
    const char *params[] = {change->template, change->language, change->subject, change->text_body,
                            change->html_body};
    PGresult *r = db_exec(db,
        "WITH t AS (INSERT INTO notification_templates AS t (template, language, subject, text_body, html_body) "
        "  VALUES ($1, $2, $3, $4, $5) ON CONFLICT (template, language) DO UPDATE "
        "  SET subject = EXCLUDED.subject, text_body = EXCLUDED.text_body, html_body = EXCLUDED.html_body "
        "  WHERE (t.subject, t.text_body, t.html_body) IS DISTINCT FROM (EXCLUDED.subject, EXCLUDED.text_body, "
        "         EXCLUDED.html_body) RETURNING *) "
        "SELECT " TEMPLATE_JSON "::text FROM t", 5, params, error);
    if (!r)
        return -1;
    bool changed = PQntuples(r) == 1;
    *json = changed ? db_value_dup(r, 0, 0) : NULL;
    PQclear(r);
    if (!changed)   /* the same texts again (a resent command): nothing to store, no event */
        return db_query_value(db, "SELECT " TEMPLATE_JSON "::text FROM notification_templates t "
                                  "WHERE t.template = $1 AND t.language = $2", 2, params, json, error);
    if (!*json)
        return -1;
    const config_event_field_t fields[] = {
        {"template", change->template, false, 0}, {"language", change->language, false, 0},
    };
    config_event_t event = {EVENT_TEMPLATE_CHANGED, change->actor_role, change->actor, fields,
                            sizeof fields / sizeof fields[0]};
    return config_events_append(db, &event, error);
}
