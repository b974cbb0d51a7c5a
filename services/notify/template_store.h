#ifndef ADUAN_NOTIFY_TEMPLATE_STORE_H
#define ADUAN_NOTIFY_TEMPLATE_STORE_H

#include <stdbool.h>
#include <stddef.h>

#include "db.h"
#include "error_reply.h"
#include "template_names.h"

/* A row of notification_templates rendered with values (notify_template.h): subject and text as
 * they are, HTML escaped. */
typedef struct {
    char *subject, *text, *html;
} template_message_t;

void template_message_clear(template_message_t *m);

/* The template in `language` ("id" or "en"; Indonesian when it has no such translation) rendered
 * into *m with the values of the names that template may use (template_names.h). 0 rendered; 1 no usable template (missing, or broken by an operator's edit; reason says
 * which); -1 database error. */
int template_store_render(db_t *db, const char *template, const char *language, const template_values_t *values,
                          template_message_t *m, char *reason, size_t reason_cap, db_error_t *error);

/* The same in two steps, for a caller that reads the words once for many messages: the statement
 * that reads a template's words ($1 template, $2 language), and its answer rendered. 0 or 1 as above. */
extern const char template_store_words_sql[];
int template_store_render_words(const PGresult *words, const char *template, const template_values_t *values,
                                template_message_t *m, char *reason, size_t reason_cap);

/* The SQL that admins' edits of `notification_templates` need (aduan-notify owns the table and
 * reads a template each time it renders one, the fan-out once per run of events, so an edit counts
 * from the next message or run on). */

typedef struct {
    const char *template, *language, *subject, *text_body, *html_body;
    const char *actor_role, *actor;   /* the admin's role and username */
} template_change_t;

/* Every template with the events whose rules use it, and the names a template may use, as JSON
 * {"templates": [{template, language, subject, text_body, html_body, event_types}...], "names": [...]}. */
int template_store_list(db_t *db, char **json, db_error_t *error);

/* Checks the fields (invalid with the field: unknown template or language, a text too long, a
 * malformed tag or an unknown name). 0 valid, 1 refused. `stored`: the template must be one a
 * notification rule uses or that exists already. */
int template_store_validate(db_t *db, const template_change_t *change, bool stored, error_reply_t *refusal,
                            db_error_t *error);

/* Stores the template in the language (replacing its texts) with a config.template_changed event
 * when anything changed: 0 with its JSON, 1 refused, -1 error. */
int template_store_set(db_t *db, const template_change_t *change, char **json, error_reply_t *refusal,
                       db_error_t *error);

#endif
