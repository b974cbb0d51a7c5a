#include "template_commands.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "config_command_server.h"
#include "notify_template.h"
#include "template_store.h"

static template_change_t change_of(const config_command_t *c)
{
    return (template_change_t) {c->template, c->language, c->subject, c->text_body, c->html_body, c->actor_role,
                                c->actor_username};
}

static int list(db_t *db, const config_command_t *c, char **json, error_reply_t *refusal, db_error_t *error)
{
    (void) c;
    (void) refusal;
    return template_store_list(db, json, error);
}

static int set(db_t *db, const config_command_t *c, char **json, error_reply_t *refusal, db_error_t *error)
{
    template_change_t change = change_of(c);
    return template_store_set(db, &change, json, refusal, error);
}

/* What a message about a report looks like, in the language: every name has a value, so every
 * section shows. */
static size_t sample_values(bool english, template_value_t *v)
{
    size_t n = 0;
    v[n++] = (template_value_t) {"tracking_id", "ADU-2026-0001-ABCD"};
    v[n++] = (template_value_t) {"title", english ? "Potholes on Jalan Sudirman" : "Jalan berlubang di Jl. Sudirman"};
    v[n++] = (template_value_t) {"status", english ? "In process" : "Proses"};
    v[n++] = (template_value_t) {"institution", "Dinas Pekerjaan Umum dan Penataan Ruang Kota Batam"};
    v[n++] = (template_value_t) {"note", english ? "The hole will be patched this week." : "Lubang akan ditambal minggu ini."};
    v[n++] = (template_value_t) {"reason", english ? "Needs more data" : "Perlu data tambahan"};
    v[n++] = (template_value_t) {"deadline", english ? "follow-up" : "tindak lanjut"};
    v[n++] = (template_value_t) {"due_date", "2026-12-31"};
    v[n++] = (template_value_t) {"tracking_url", "https://aduan.example.go.id/lacak/ADU-2026-0001-ABCD"};
    v[n++] = (template_value_t) {"event_type", "report.followed_up"};
    return n;
}

static int preview(db_t *db, const config_command_t *c, char **json, error_reply_t *refusal, db_error_t *error)
{
    template_change_t change = change_of(c);
    int rc = template_store_validate(db, &change, false, refusal, error);
    if (rc != 0)
        return rc;
    template_value_t values[NOTIFY_TEMPLATE_NAME_COUNT];
    size_t count = sample_values(strcmp(c->language, "en") == 0, values);
    char *subject = notify_template_render(c->subject, values, count, false, NULL, 0);
    char *text = notify_template_render(c->text_body, values, count, false, NULL, 0);
    char *html = notify_template_render(c->html_body, values, count, true, NULL, 0);
    json_t *doc = subject && text && html
                      ? json_pack("{s:s, s:s, s:s}", "subject", subject, "text_body", text, "html_body", html)
                      : NULL;
    free(subject);
    free(text);
    free(html);
    *json = doc ? json_dumps(doc, JSON_COMPACT) : NULL;
    json_decref(doc);
    return *json ? 0 : -1;
}

static const config_command_handler_t handlers[] = {
    {MSG_TEMPLATE_LIST, list, false, true},   /* national texts: institution admins read them */
    {MSG_TEMPLATE_SET, set, true, false},
    {MSG_TEMPLATE_PREVIEW, preview, false, false},
};

int template_commands_register(cmd_server_t *server, db_t *db)
{
    static config_command_server_t templates;   /* lives as long as the process's one server */
    templates = (config_command_server_t) {db, handlers, sizeof handlers / sizeof handlers[0],
                                           "notification templates are edited by national admins"};
    return config_command_server_register(server, &templates);
}
