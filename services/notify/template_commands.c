#include "template_commands.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "config_command_server.h"
#include "notify_template.h"
#include "template_names.h"
#include "template_store.h"

static template_change_t change_of(const config_command_t *c)
{
    return (template_change_t) {c->template, c->language, c->subject, c->text_body, c->html_body, c->actor.role,
                                c->actor.username};
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

/* What a message of any template looks like, in the language: every name has a value, so every
 * section shows. */
static template_values_t sample_values(bool english)
{
    template_values_t v = {0};
    v.of[NAME_TRACKING_ID] = "ADU-2026-0001-ABCD";
    v.of[NAME_TITLE] = english ? "Potholes on Jalan Sudirman" : "Jalan berlubang di Jl. Sudirman";
    v.of[NAME_STATUS] = english ? "In process" : "Proses";
    v.of[NAME_INSTITUTION] = "Dinas Pekerjaan Umum dan Penataan Ruang Kota Batam";
    v.of[NAME_NOTE] = english ? "The hole will be patched this week." : "Lubang akan ditambal minggu ini.";
    v.of[NAME_REASON] = english ? "Needs more data" : "Perlu data tambahan";
    v.of[NAME_DEADLINE] = english ? "follow-up" : "tindak lanjut";
    v.of[NAME_DUE_DATE] = "2026-12-31";
    v.of[NAME_TRACKING_URL] = "https://aduan.example.go.id/lapor/ADU-2026-0001-ABCD";
    v.of[NAME_EVENT_TYPE] = "report.followed_up";
    v.of[NAME_UNSUBSCRIBE_URL] = "https://aduan.example.go.id/ikuti#berhenti=contoh";
    v.of[NAME_CONFIRM_URL] = "https://aduan.example.go.id/ikuti#konfirmasi=contoh";
    v.of[NAME_CODE] = "12345678";
    v.of[NAME_VALID_MINUTES] = "10";
    return v;
}

/* The texts rendered with sample values for the template named (a rule's when none is). */
static int preview(db_t *db, const config_command_t *c, char **json, error_reply_t *refusal, db_error_t *error)
{
    template_change_t change = change_of(c);
    int rc = template_store_validate(db, &change, false, refusal, error);
    if (rc != 0)
        return rc;
    template_values_t samples = sample_values(strcmp(c->language, "en") == 0);
    template_value_t values[TEMPLATE_NAME_COUNT];
    size_t count = template_kind_values(template_kind(c->template), &samples, values);
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
