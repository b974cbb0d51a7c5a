#include "open311_form.h"

#include <stdlib.h>
#include <string.h>

#include "utf8_text.h"

static int hex_digit(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* A malloc'd, decoded copy of text[0..n); NULL when an escape is malformed or out of memory. */
static char *decode(const char *text, size_t n)
{
    char *out = malloc(n + 1);
    size_t len = 0;
    for (size_t i = 0; out && i < n; i++) {
        if (text[i] == '+')
            out[len++] = ' ';
        else if (text[i] != '%')
            out[len++] = text[i];
        else if (i + 2 < n && hex_digit(text[i + 1]) >= 0 && hex_digit(text[i + 2]) >= 0) {
            out[len++] = (char) (hex_digit(text[i + 1]) * 16 + hex_digit(text[i + 2]));
            i += 2;
        } else {
            free(out);
            return NULL;
        }
    }
    if (out)
        out[len] = '\0';
    if (out && strlen(out) != len) {  /* an encoded NUL */
        free(out);
        return NULL;
    }
    return out;
}

int open311_form_add(open311_form_t *form, const char *name, const char *value)
{
    if (form->count == OPEN311_FORM_FIELDS_MAX)
        return -1;
    open311_field_t *f = &form->items[form->count];
    f->name = strdup(name);
    f->value = strdup(value ? value : "");
    if (!f->name || !f->value) {
        free(f->name);
        free(f->value);
        f->name = f->value = NULL;
        return -1;
    }
    form->count++;
    return 0;
}

static int add_pair(open311_form_t *form, const char *pair, size_t n, const char **why)
{
    const char *eq = memchr(pair, '=', n);
    size_t name_len = eq ? (size_t) (eq - pair) : n;
    char *name = decode(pair, name_len), *value = eq ? decode(eq + 1, n - name_len - 1) : strdup("");
    int rc = -1;
    if (!name || !value)
        *why = "a parameter has a malformed %-escape";
    else if (utf8_text_length(name, strlen(name)) < 0 || utf8_text_length(value, strlen(value)) < 0
             || !utf8_text_is_printable(name, false) || !utf8_text_is_printable(value, true))
        *why = "parameters must be UTF-8 text without control characters";
    else if ((rc = open311_form_add(form, name, value)) != 0)
        *why = "too many parameters";
    free(name);
    free(value);
    return rc;
}

int open311_form_parse(const char *body, size_t size, open311_form_t *form, const char **why)
{
    size_t start = 0;
    while (start < size) {
        const char *amp = memchr(body + start, '&', size - start);
        size_t end = amp ? (size_t) (amp - body) : size;
        if (end > start && add_pair(form, body + start, end - start, why) != 0) {
            open311_form_clear(form);
            return -1;
        }
        start = end + 1;
    }
    return 0;
}

open311_form_t *open311_form_new(void)
{
    return calloc(1, sizeof(open311_form_t));
}

void open311_form_destroy(open311_form_t **form_p)
{
    if (!form_p || !*form_p)
        return;
    open311_form_clear(*form_p);
    free(*form_p);
    *form_p = NULL;
}

void open311_form_clear(open311_form_t *form)
{
    for (size_t i = 0; i < form->count; i++) {
        free(form->items[i].name);
        free(form->items[i].value);
    }
    form->count = 0;
}

const char *open311_form_get(const open311_form_t *form, const char *name)
{
    for (size_t i = 0; i < form->count; i++)
        if (strcmp(form->items[i].name, name) == 0 && form->items[i].value[0])
            return form->items[i].value;
    return NULL;
}

const open311_field_t *open311_form_next(const open311_form_t *form, const char *prefix, size_t *cursor)
{
    size_t n = strlen(prefix);
    while (*cursor < form->count) {
        const open311_field_t *f = &form->items[(*cursor)++];
        if (strncmp(f->name, prefix, n) == 0 && f->value[0])
            return f;
    }
    return NULL;
}
