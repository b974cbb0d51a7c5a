#include "field_errors.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

void field_errors_clear(field_errors_t *errors)
{
    errors->count = 0;
}

void field_errors_add(field_errors_t *errors, const char *field, const char *code, const char *fmt, ...)
{
    if (errors->count >= FIELD_ERRORS_MAX)
        return;
    field_error_t *item = &errors->items[errors->count++];
    snprintf(item->field, sizeof item->field, "%s", field);
    snprintf(item->code, sizeof item->code, "%s", code);
    va_list args;
    va_start(args, fmt);
    vsnprintf(item->message, sizeof item->message, fmt, args);
    va_end(args);
}
