#ifndef ADUAN_DB_ARRAY_H
#define ADUAN_DB_ARRAY_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "text_buffer.h"

/* A PostgreSQL array literal ("{...}") built value by value, for ONE statement parameter (cast in
 * the statement, e.g. $1::text[]): the multi-row statements of a batch send each column as one
 * array and unnest them. Every value is double-quoted with " and \ escaped, so any text arrives
 * as it was; NULL stays SQL NULL. Start from a zeroed struct; an allocation failure shows at take. */
typedef struct {
    text_buffer_t text;
    size_t count;
} db_array_t;

void db_array_add(db_array_t *self, const char *value);
void db_array_add_int(db_array_t *self, int64_t value);
/* The literal (caller frees), or NULL when building it ran out of memory; the array is empty after. */
char *db_array_take(db_array_t *self);
/* Each of `count` arrays taken at once, for a multi-row statement: owned[c] is the literal (the
 * caller frees every one, NULL or not) and params[c] the same pointer, for db_exec's parameters.
 * False when any ran out of memory. */
bool db_array_take_columns(db_array_t *columns, size_t count, char **owned, const char **params);

#endif
