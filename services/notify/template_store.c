#include "template_store.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config_events.h"
#include "message_types.h"
#include "template_names.h"
#include "utf8_text.h"

void template_message_clear(template_message_t *m)
{
    free(m->subject);
    free(m->text);
    free(m->html);
    *m = (template_message_t) {0};
}

const char template_store_words_sql[] =
    "SELECT subject, text_body, html_body FROM notification_templates "
    "WHERE template = $1 AND language IN ($2, 'id') ORDER BY language = $2 DESC LIMIT 1";

int template_store_render_words(const PGresult *words, const char *template, const template_values_t *named,
                                template_message_t *m, char *reason, size_t cap)
{
    *m = (template_message_t) {0};
    template_value_t values[TEMPLATE_NAME_COUNT];
    size_t count = template_kind_values(template_kind(template), named, values);
    snprintf(reason, cap, "no such template");
    if (PQntuples(words) == 1) {
        m->subject = notify_template_render(PQgetvalue(words, 0, 0), values, count, false, reason, cap);
        m->text = m->subject ? notify_template_render(PQgetvalue(words, 0, 1), values, count, false, reason, cap) : NULL;
        m->html = m->text ? notify_template_render(PQgetvalue(words, 0, 2), values, count, true, reason, cap) : NULL;
    }
    if (!m->html) {
        template_message_clear(m);
        return 1;
    }
    return 0;
}

int template_store_render(db_t *db, const char *template, const char *language, const template_values_t *named,
                          template_message_t *m, char *reason, size_t cap, db_error_t *error)
{
    *m = (template_message_t) {0};
    const char *params[] = {template, language};
    PGresult *r = db_exec(db, template_store_words_sql, 2, params, error);
    if (!r)
        return -1;
    int rc = template_store_render_words(r, template, named, m, reason, cap);
    PQclear(r);
    return rc;
}

#define SUBJECT_MAX 300
#define BODY_MAX 20000
#define TEMPLATE_JSON \
    "json_build_object('template', t.template, 'language', t.language, 'subject', t.subject, " \
    "'text_body', t.text_body, 'html_body', t.html_body, 'event_types', (SELECT COALESCE(json_agg(DISTINCT " \
    "r.event_type), '[]') FROM notification_rules r WHERE r.template = t.template))"

/* The names of the bits of `mask` (template_kind_t's allowed or required). */
static json_t *names_json(unsigned mask)
{
    json_t *list = json_array();
    int rc = list ? 0 : -1;
    for (int i = 0; rc == 0 && i < TEMPLATE_NAME_COUNT; i++)
        if ((mask >> i) & 1u)
            rc = json_array_append_new(list, json_string(template_name((template_name_t) i)));
    if (rc != 0)
        json_decref(list);
    return rc == 0 ? list : NULL;
}

/* Each template with the names it may use and must show, from the one list (template_names.h). */
static int add_names(json_t *doc)
{
    json_t *templates = json_object_get(doc, "templates"), *row;
    size_t i;
    int rc = json_object_set_new(doc, "names", names_json(template_kind(NULL)->allowed));
    json_array_foreach(templates, i, row) {
        const template_kind_t *kind = template_kind(json_string_value(json_object_get(row, "template")));
        rc |= json_object_set_new(row, "names", names_json(kind->allowed));
        rc |= json_object_set_new(row, "required_names", names_json(kind->required));
    }
    return rc == 0 && json_is_array(templates) ? 0 : -1;
}

int template_store_list(db_t *db, char **json, db_error_t *error)
{
    char *rows = NULL;
    if (db_query_value(db, "SELECT json_build_object('templates', COALESCE((SELECT json_agg(" TEMPLATE_JSON
                           " ORDER BY t.template, t.language) FROM notification_templates t), '[]'))::text",
                       0, NULL, &rows, error) != 0)
        return -1;
    json_t *doc = rows ? json_loads(rows, 0, NULL) : NULL;
    free(rows);
    *json = doc && add_names(doc) == 0 ? json_dumps(doc, JSON_COMPACT) : NULL;
    json_decref(doc);
    if (!*json)
        snprintf(error->message, sizeof error->message, "the templates could not be listed");
    return *json ? 0 : -1;
}

static void check_text(field_errors_t *errors, const template_kind_t *kind, const char *field, const char *text,
                       long max, bool shows_required)
{
    char reason[160];
    long length = text ? utf8_text_length(text, strlen(text)) : 0;
    const char *missing = NULL;
    if (!text || length < 1 || length > max)
        field_errors_add(errors, field, text ? "invalid" : "required", "%s must be 1 to %ld characters", field, max);
    else if (template_kind_check(kind, text, reason, sizeof reason) != 0)
        field_errors_add(errors, field, "placeholder", "%s", reason);
    else if (shows_required && (missing = template_kind_missing(kind, text)))
        field_errors_add(errors, field, "placeholder", "%s must show {{%s}}", field, missing);
}

int template_store_validate(db_t *db, const template_change_t *change, bool stored, error_reply_t *refusal,
                            db_error_t *error)
{
    field_errors_t errors;
    field_errors_clear(&errors);
    if (!change->language || (strcmp(change->language, "id") != 0 && strcmp(change->language, "en") != 0))
        field_errors_add(&errors, "language", change->language ? "invalid" : "required", "language must be id or en");
    const template_kind_t *kind = template_kind(change->template);
    check_text(&errors, kind, "subject", change->subject, SUBJECT_MAX, false);
    check_text(&errors, kind, "text_body", change->text_body, BODY_MAX, true);
    check_text(&errors, kind, "html_body", change->html_body, BODY_MAX, true);
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
