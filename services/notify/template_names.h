#ifndef ADUAN_NOTIFY_TEMPLATE_NAMES_H
#define ADUAN_NOTIFY_TEMPLATE_NAMES_H

#include <stdbool.h>
#include <stddef.h>

#include "notify_template.h"

/* The one list of the names templates may use (docs/notifications.md, "The template language")
 * and of which template may use which: the senders fill values by these names (fanout.c,
 * follow_commands.c, sign_in_code.c), the admins' checks and previews read the same list
 * (template_store.c, template_commands.c), so a name a message carries is never refused in an
 * edit, nor one accepted that no message carries. */
typedef enum {
    NAME_TRACKING_ID, NAME_TITLE, NAME_STATUS, NAME_INSTITUTION, NAME_NOTE, NAME_REASON, NAME_DEADLINE,
    NAME_DUE_DATE, NAME_TRACKING_URL, NAME_EVENT_TYPE, NAME_UNSUBSCRIBE_URL, NAME_CONFIRM_URL, NAME_CODE,
    NAME_VALID_MINUTES, TEMPLATE_NAME_COUNT
} template_name_t;

/* The templates with values of their own; any other name is a template of notification_rules. */
#define TEMPLATE_FOLLOW_CONFIRM "follow_confirm"
#define TEMPLATE_FOLLOW_STEP "follow_step"
#define TEMPLATE_SIGN_IN_CODE "sign_in_code"

/* The value of each name in one message; NULL is empty. */
typedef struct {
    const char *of[TEMPLATE_NAME_COUNT];
} template_values_t;

typedef struct {
    const char *template;      /* NULL: the templates of notification rules */
    unsigned allowed;          /* bits 1u << template_name_t */
    unsigned required;         /* names text_body and html_body must each show (a code is useless unseen) */
} template_kind_t;

/* The kind of the template of that name (NULL: a rule's). Never NULL. */
const template_kind_t *template_kind(const char *template);

const char *template_name(template_name_t name);

bool template_kind_allows(const template_kind_t *kind, template_name_t name);

/* The pairs notify_template_render takes: each name the kind allows, with its value. Returns
 * their count. */
size_t template_kind_values(const template_kind_t *kind, const template_values_t *values,
                            template_value_t out[TEMPLATE_NAME_COUNT]);

/* 0 when `text` is well formed and uses only names the kind allows; -1 with the reason. */
int template_kind_check(const template_kind_t *kind, const char *text, char *reason, size_t reason_cap);

/* The first name the kind requires that `text` does not show, or NULL. */
const char *template_kind_missing(const template_kind_t *kind, const char *text);

#endif
