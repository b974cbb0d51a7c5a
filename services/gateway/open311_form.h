#ifndef ADUAN_GATEWAY_OPEN311_FORM_H
#define ADUAN_GATEWAY_OPEN311_FORM_H
#include <stdbool.h>
#include <stddef.h>

/* The parameters of an Open311 request: an application/x-www-form-urlencoded POST body, or the
 * query string (already decoded by libmicrohttpd). Names may repeat (attribute[CODE][]=...). As
 * the standard says, a parameter sent empty counts as absent. */

#define OPEN311_FORM_FIELDS_MAX 256

typedef struct {
    char *name;
    char *value;
} open311_field_t;

typedef struct {
    size_t count;
    open311_field_t items[OPEN311_FORM_FIELDS_MAX];
} open311_form_t;

/* A zeroed form (NULL when out of memory); destroy frees its pairs and nulls the pointer. */
open311_form_t *open311_form_new(void);
void open311_form_destroy(open311_form_t **form_p);

/* Parses `size` bytes of a urlencoded body into a zeroed form: '+' is a space, %XX a byte; names
 * and values must be valid UTF-8 without control characters (but for \r \n \t in values). 0, or
 * -1 with *why (malformed escape, bad text, too many fields, out of memory). */
int open311_form_parse(const char *body, size_t size, open311_form_t *form, const char **why);
/* Adds a copy of a pair; -1 when full or out of memory. */
int open311_form_add(open311_form_t *form, const char *name, const char *value);
void open311_form_clear(open311_form_t *form);

/* The first non-empty value of `name`, or NULL. */
const char *open311_form_get(const open311_form_t *form, const char *name);
/* The i-th field whose name starts with `prefix` and has a non-empty value, from *cursor on;
 * NULL at the end. */
const open311_field_t *open311_form_next(const open311_form_t *form, const char *prefix, size_t *cursor);

#endif
