#include "template_names.h"

#include <string.h>

#define BIT(n) (1u << (n))
#define REPORT_NAMES (BIT(NAME_TRACKING_ID) | BIT(NAME_TITLE) | BIT(NAME_STATUS) | BIT(NAME_INSTITUTION) \
                      | BIT(NAME_NOTE) | BIT(NAME_REASON) | BIT(NAME_DEADLINE) | BIT(NAME_DUE_DATE)     \
                      | BIT(NAME_TRACKING_URL) | BIT(NAME_EVENT_TYPE))
#define CODE_NAMES (BIT(NAME_CODE) | BIT(NAME_VALID_MINUTES))

static const char *const names[TEMPLATE_NAME_COUNT] = {
    [NAME_TRACKING_ID] = "tracking_id", [NAME_TITLE] = "title", [NAME_STATUS] = "status",
    [NAME_INSTITUTION] = "institution", [NAME_NOTE] = "note", [NAME_REASON] = "reason",
    [NAME_DEADLINE] = "deadline", [NAME_DUE_DATE] = "due_date", [NAME_TRACKING_URL] = "tracking_url",
    [NAME_EVENT_TYPE] = "event_type", [NAME_UNSUBSCRIBE_URL] = "unsubscribe_url",
    [NAME_CONFIRM_URL] = "confirm_url", [NAME_CODE] = "code", [NAME_VALID_MINUTES] = "valid_minutes",
};

static const template_kind_t kinds[] = {
    {TEMPLATE_FOLLOW_CONFIRM,
     BIT(NAME_TRACKING_ID) | BIT(NAME_TITLE) | BIT(NAME_TRACKING_URL) | BIT(NAME_CONFIRM_URL), 0},
    {TEMPLATE_FOLLOW_STEP, REPORT_NAMES | BIT(NAME_UNSUBSCRIBE_URL), 0},
    {TEMPLATE_SIGN_IN_CODE, CODE_NAMES, CODE_NAMES},
};

static const template_kind_t rule_kind = {NULL, REPORT_NAMES, 0};

const template_kind_t *template_kind(const char *template)
{
    for (size_t i = 0; template && i < sizeof kinds / sizeof kinds[0]; i++)
        if (strcmp(kinds[i].template, template) == 0)
            return &kinds[i];
    return &rule_kind;
}

const char *template_name(template_name_t name)
{
    return names[name];
}

bool template_kind_allows(const template_kind_t *kind, template_name_t name)
{
    return (kind->allowed & BIT(name)) != 0;
}

size_t template_kind_values(const template_kind_t *kind, const template_values_t *values,
                            template_value_t out[TEMPLATE_NAME_COUNT])
{
    size_t n = 0;
    for (int i = 0; i < TEMPLATE_NAME_COUNT; i++)
        if (template_kind_allows(kind, (template_name_t) i))
            out[n++] = (template_value_t) {names[i], values->of[i]};
    return n;
}

static bool kind_knows(const char *name, const void *ctx)
{
    for (int i = 0; i < TEMPLATE_NAME_COUNT; i++)
        if (strcmp(names[i], name) == 0)
            return template_kind_allows(ctx, (template_name_t) i);
    return false;
}

int template_kind_check(const template_kind_t *kind, const char *text, char *reason, size_t reason_cap)
{
    return notify_template_check(text, kind_knows, kind, reason, reason_cap);
}

const char *template_kind_missing(const template_kind_t *kind, const char *text)
{
    for (int i = 0; i < TEMPLATE_NAME_COUNT; i++)
        if ((kind->required & BIT(i)) && !notify_template_shows(text, names[i]))
            return names[i];
    return NULL;
}
