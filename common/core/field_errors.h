#ifndef ADUAN_FIELD_ERRORS_H
#define ADUAN_FIELD_ERRORS_H
#include <stddef.h>

/* Per-field validation problems, carried from whoever validates (gateway JSON parsing, intake rules,
 * database look-ups) to the client as the `errors` list of an RFC 9457 problem document. */
#define FIELD_ERRORS_MAX 32

typedef struct {
    char field[64];     /* JSON pointer-ish path: "title", "location.lat", "reporter.email" */
    char code[32];      /* required | type | too_long | too_short | invalid | unknown | out_of_range */
    char message[192];  /* human sentence, English */
} field_error_t;

typedef struct {
    size_t count;
    field_error_t items[FIELD_ERRORS_MAX];
} field_errors_t;

void field_errors_clear(field_errors_t *errors);
/* Appends one problem; silently keeps the first FIELD_ERRORS_MAX (the rest are noise). */
void field_errors_add(field_errors_t *errors, const char *field, const char *code,
                      const char *fmt, ...) __attribute__((format(printf, 4, 5)));

#endif
