#ifndef ADUAN_NOTIFY_TEMPLATE_STORE_H
#define ADUAN_NOTIFY_TEMPLATE_STORE_H

#include <stddef.h>

#include "db.h"
#include "notify_template.h"

/* A row of notification_templates rendered with values (notify_template.h): subject and text as
 * they are, HTML escaped. */
typedef struct {
    char *subject, *text, *html;
} template_message_t;

void template_message_clear(template_message_t *m);

/* The template in `language` ("id" or "en"; Indonesian when it has no such translation) rendered
 * into *m. 0 rendered; 1 no usable template (missing, or broken by an operator's edit; reason says
 * which); -1 database error. */
int template_store_render(db_t *db, const char *template, const char *language, const template_value_t *values,
                          size_t count, template_message_t *m, char *reason, size_t reason_cap, db_error_t *error);

#endif
