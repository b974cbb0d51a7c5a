#include "db_array.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void separate(db_array_t *self)
{
    text_buffer_append_str(&self->text, self->count++ ? "," : "{");
}

void db_array_add(db_array_t *self, const char *value)
{
    separate(self);
    if (!value) {
        text_buffer_append_str(&self->text, "NULL");
        return;
    }
    text_buffer_append_str(&self->text, "\"");
    for (const char *run = value; *run;) {
        size_t plain = strcspn(run, "\"\\");
        text_buffer_append(&self->text, run, plain);
        run += plain;
        if (*run) {
            char escaped[2] = {'\\', *run++};
            text_buffer_append(&self->text, escaped, 2);
        }
    }
    text_buffer_append_str(&self->text, "\"");
}

void db_array_add_int(db_array_t *self, int64_t value)
{
    char number[24];
    snprintf(number, sizeof number, "%" PRId64, value);
    separate(self);
    text_buffer_append_str(&self->text, number);
}

char *db_array_take(db_array_t *self)
{
    text_buffer_append_str(&self->text, self->count ? "}" : "{}");
    self->count = 0;
    return text_buffer_take(&self->text, NULL);
}

bool db_array_take_columns(db_array_t *columns, size_t count, char **owned, const char **params)
{
    bool complete = true;
    for (size_t c = 0; c < count; c++)
        complete = (params[c] = owned[c] = db_array_take(&columns[c])) != NULL && complete;
    return complete;
}
