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

char *notify_template_render(const char *text, const template_value_t *values, size_t count, bool html,
                             char *reason, size_t reason_cap)
{
    text_buffer_t out = {0};
    const char *p = text, *section_end = NULL;
    char kind, name[NAME_MAX_LEN + 1], section[NAME_MAX_LEN + 1] = "";
    int rc = 0;
    while (rc == 0 && *p) {
        const char *open = strstr(p, "{{");
        if (!open) {
            text_buffer_append_str(&out, p);
            break;
        }
        text_buffer_append(&out, p, (size_t) (open - p));
        const char *after = read_tag(open, &kind, name);
        if (!after) {
            rc = fail(reason, reason_cap, "a {{ without its }}");
        } else if (kind == '#') {
            if (section[0])
                rc = fail(reason, reason_cap, "sections do not nest");
            char closing[NAME_MAX_LEN + 6];
            snprintf(closing, sizeof closing, "{{/%s}}", name);
            section_end = strstr(after, closing);
            if (rc == 0 && !section_end)
                rc = fail(reason, reason_cap, "a section without its end");
            else if (rc == 0 && lookup(values, count, name)[0] == '\0')
                after = section_end + strlen(closing);   /* empty: skip the section */
            else
                snprintf(section, sizeof section, "%s", name);
        } else if (kind == '/') {
            if (strcmp(section, name) != 0)
                rc = fail(reason, reason_cap, "a section end without its start");
            section[0] = '\0';
        } else {
            put_value(&out, lookup(values, count, name), html);
        }
        p = after;
    }
    if (rc == 0 && section[0])
        rc = fail(reason, reason_cap, "a section without its end");
    char *rendered = text_buffer_take(&out, NULL);
    if (rc != 0 || !rendered) {
        if (rc == 0)
            fail(reason, reason_cap, "out of memory");
        free(rendered);
        return NULL;
    }
    return rendered;
}
