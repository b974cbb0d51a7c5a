#ifndef ADUAN_NOTIFY_TEMPLATE_H
#define ADUAN_NOTIFY_TEMPLATE_H

#include <stdbool.h>
#include <stddef.h>

/* The little template language of notification_templates (operators edit these rows, so it is
 * kept small enough to learn from one example):
 *   {{name}}              the value of name ("" when unknown)
 *   {{#name}}...{{/name}} the inner text, only when name has a non-empty value (no nesting)
 * For HTML bodies every value is escaped (& < > " '), so a reporter's text cannot become markup. */
typedef struct {
    const char *name;
    const char *value;   /* NULL counts as empty */
} template_value_t;

/* 0 when `text` is well formed and every name in it is one `known` accepts (the names a template
 * may use are listed in template_names.h); -1 with the reason. */
int notify_template_check(const char *text, bool (*known)(const char *name, const void *ctx), const void *ctx,
                          char *reason, size_t reason_cap);

/* True when the well-formed `text` puts the value of `name` somewhere ({{name}}, not only a section). */
bool notify_template_shows(const char *text, const char *name);

/* A malloc'd rendering of `text`, or NULL (out of memory, or an unclosed {{ or section; the reason
 * is written when reason is not NULL). */
char *notify_template_render(const char *text, const template_value_t *values, size_t count, bool html,
                             char *reason, size_t reason_cap);

#endif
