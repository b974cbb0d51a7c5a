#include "notify_template.h"

#include "text_buffer.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NAME_MAX_LEN 64

static void put_value(text_buffer_t *b, const char *value, bool html)
{
    for (const char *p = value; p && *p; p++) {
        const char *entity = NULL;
        if (html)
            switch (*p) {
            case '&': entity = "&amp;"; break;
            case '<': entity = "&lt;"; break;
            case '>': entity = "&gt;"; break;
            case '"': entity = "&quot;"; break;
            case '\'': entity = "&#39;"; break;
            default: break;
            }
        if (entity)
            text_buffer_append_str(b, entity);
        else
            text_buffer_append(b, p, 1);
    }
}

static const char *lookup(const template_value_t *values, size_t count, const char *name)
{
    for (size_t i = 0; i < count; i++)
        if (strcmp(values[i].name, name) == 0)
            return values[i].value ? values[i].value : "";
    return "";
}

/* Reads the tag at p ("{{...}}"): its kind ('#', '/' or 0) and name; returns the text after it,
 * or NULL when the tag is not closed or its name is too long. */
static const char *read_tag(const char *p, char *kind, char name[NAME_MAX_LEN + 1])
{
    p += 2;
    *kind = (*p == '#' || *p == '/') ? *p++ : 0;
    const char *end = strstr(p, "}}");
    if (!end || (size_t) (end - p) > NAME_MAX_LEN)
        return NULL;
    memcpy(name, p, (size_t) (end - p));
    name[end - p] = '\0';
    return end + 2;
}

static int fail(char *reason, size_t cap, const char *why)
{
    if (reason)
        snprintf(reason, cap, "%s", why);
    return -1;
}

/* The whole template's shape, whatever the values: a template that breaks only for some reports
 * would fail far from the operator who edited it. */
static int check_syntax(const char *p, char *reason, size_t reason_cap)
{
    char kind, name[NAME_MAX_LEN + 1], section[NAME_MAX_LEN + 1] = "";
    while ((p = strstr(p, "{{"))) {
        if (!(p = read_tag(p, &kind, name)))
            return fail(reason, reason_cap, "a {{ without its }}, or a name longer than 64 characters");
        if (name[0] == '\0')
            return fail(reason, reason_cap, "a tag without a name");
        if (kind == '#' && section[0])
            return fail(reason, reason_cap, "sections do not nest");
        if (kind == '/' && strcmp(section, name) != 0)
            return fail(reason, reason_cap, "a section end without its start");
        if (kind == '#')
            snprintf(section, sizeof section, "%s", name);
        else if (kind == '/')
            section[0] = '\0';
    }
    return section[0] ? fail(reason, reason_cap, "a section without its end") : 0;
}

int notify_template_check(const char *text, bool (*known)(const char *name, const void *ctx), const void *ctx,
                          char *reason, size_t reason_cap)
{
    if (check_syntax(text, reason, reason_cap) != 0)
        return -1;
    char kind, name[NAME_MAX_LEN + 1];
    for (const char *p = text; (p = strstr(p, "{{"));) {
        p = read_tag(p, &kind, name);   /* the shape was checked: every tag is whole */
        if (!known(name, ctx)) {
            if (reason)
                snprintf(reason, reason_cap, "{{%s}} is not a name messages of this template know", name);
            return -1;
        }
    }
    return 0;
}

bool notify_template_shows(const char *text, const char *name)
{
    char kind, found[NAME_MAX_LEN + 1];
    for (const char *p = text; p && (p = strstr(p, "{{"));)
        if ((p = read_tag(p, &kind, found)) && kind == 0 && strcmp(found, name) == 0)
            return true;
    return false;
}

char *notify_template_render(const char *text, const template_value_t *values, size_t count, bool html,
                             char *reason, size_t reason_cap)
{
    if (check_syntax(text, reason, reason_cap) != 0)
        return NULL;
    text_buffer_t out = {0};
    const char *p = text, *open;
    char kind, name[NAME_MAX_LEN + 1], closing[NAME_MAX_LEN + 6];
    while ((open = strstr(p, "{{"))) {
        text_buffer_append(&out, p, (size_t) (open - p));
        p = read_tag(open, &kind, name);   /* the shape was checked: every tag is whole */
        if (kind == '#' && lookup(values, count, name)[0] == '\0') {
            snprintf(closing, sizeof closing, "{{/%s}}", name);
            p = strstr(p, closing) + strlen(closing);   /* an empty section is dropped */
        } else if (kind == 0) {
            put_value(&out, lookup(values, count, name), html);
        }
    }
    text_buffer_append_str(&out, p);
    char *rendered = text_buffer_take(&out, NULL);
    if (!rendered)
        fail(reason, reason_cap, "out of memory");
    return rendered;
}
