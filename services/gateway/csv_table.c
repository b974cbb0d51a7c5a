#include "csv_table.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "text_buffer.h"

#define MAX_COLUMNS 64

typedef struct {
    char name[128];
    const char *outer, *inner;   /* inner NULL: a top-level member */
} column_t;

static void add_column(column_t *columns, size_t *n, const char *outer, const char *inner)
{
    if (*n >= MAX_COLUMNS)
        return;
    column_t *c = &columns[(*n)++];
    c->outer = outer;
    c->inner = inner;
    if (inner)
        snprintf(c->name, sizeof c->name, "%s.%s", outer, inner);
    else
        snprintf(c->name, sizeof c->name, "%s", outer);
}

static size_t read_columns(json_t *first, column_t *columns)
{
    size_t n = 0;
    const char *key, *inner;
    json_t *value, *ignored;
    json_object_foreach(first, key, value) {
        if (!json_is_object(value)) {
            add_column(columns, &n, key, NULL);
            continue;
        }
        json_object_foreach(value, inner, ignored)
            add_column(columns, &n, key, inner);
    }
    return n;
}

static void put_field(text_buffer_t *out, const char *text)
{
    bool quoted = strpbrk(text, ",\"\r\n") != NULL;
    if (quoted)
        text_buffer_append_str(out, "\"");
    /* A spreadsheet runs a cell that starts like a formula (CSV injection): a leading ' makes it
     * text, as OWASP recommends, at the price of showing the ' before a "+62..." phone number. */
    if (*text && strchr("=+-@\t\r", *text))
        text_buffer_append_str(out, "'");
    if (!quoted) {
        text_buffer_append_str(out, text);
        return;
    }
    for (const char *p = text; *p; p++) {
        if (*p == '"')
            text_buffer_append_str(out, "\"\"");
        else
            text_buffer_append(out, p, 1);
    }
    text_buffer_append_str(out, "\"");
}

static void put_value(text_buffer_t *out, const json_t *value)
{
    char text[64] = "";
    if (json_is_string(value)) {
        put_field(out, json_string_value(value));
        return;
    }
    if (json_is_integer(value))
        snprintf(text, sizeof text, "%lld", (long long) json_integer_value(value));
    else if (json_is_real(value))
        snprintf(text, sizeof text, "%.15g", json_real_value(value));
    else if (json_is_boolean(value))
        snprintf(text, sizeof text, "%s", json_is_true(value) ? "true" : "false");
    text_buffer_append_str(out, text);
}

char *csv_table_render(const json_t *rows)
{
    text_buffer_t out = {0};
    column_t columns[MAX_COLUMNS];
    if (json_array_size(rows) == 0)
        return text_buffer_take(&out, NULL);   /* no rows, no columns to name: an empty file */
    size_t n = read_columns(json_array_get(rows, 0), columns);
    for (size_t c = 0; c < n; c++) {
        if (c)
            text_buffer_append_str(&out, ",");
        put_field(&out, columns[c].name);
    }
    text_buffer_append_str(&out, "\r\n");
    size_t i;
    json_t *row;
    json_array_foreach(rows, i, row) {
        for (size_t c = 0; c < n; c++) {
            if (c)
                text_buffer_append_str(&out, ",");
            json_t *value = json_object_get(row, columns[c].outer);
            put_value(&out, columns[c].inner ? json_object_get(value, columns[c].inner) : value);
        }
        text_buffer_append_str(&out, "\r\n");
    }
    return text_buffer_take(&out, NULL);
}
