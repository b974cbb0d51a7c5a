#include "template_store.h"

#include <stdio.h>
#include <stdlib.h>

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
