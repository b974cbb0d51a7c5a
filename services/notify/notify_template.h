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

/* The names fanout.c gives every rendering (values may be empty): the only names a template may use. */
extern const char *const notify_template_names[];
#define NOTIFY_TEMPLATE_NAME_COUNT 10

/* 0 when `text` is well formed and names only notify_template_names; -1 with the reason. */
int notify_template_check(const char *text, char *reason, size_t reason_cap);

/* A malloc'd rendering of `text`, or NULL (out of memory, or an unclosed {{ or section; the reason
 * is written when reason is not NULL). */
char *notify_template_render(const char *text, const template_value_t *values, size_t count, bool html,
                             char *reason, size_t reason_cap);

#endif
