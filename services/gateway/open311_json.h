#ifndef ADUAN_GATEWAY_OPEN311_JSON_H
#define ADUAN_GATEWAY_OPEN311_JSON_H
#include <jansson.h>
#include <stdbool.h>

/* Open311 documents as JSON (jansson), and the error list of the standard. The tree is built in
 * the standard's order and rendered as is: lists are bare arrays, ids strings. */

/* A malloc'd compact rendering in insertion order; NULL when out of memory. */
char *open311_json_render(json_t *doc);

/* An error list: [{"code": 400, "description": "..."}], several at once. */
json_t *open311_errors_new(void);
void open311_errors_add(json_t *errors, int code, const char *description);
/* The highest code of the list (404 over 403 over 400): the HTTP status it is sent with. */
int open311_errors_status(json_t *errors);

/* Parses a document an intake query answered; NULL when it is not JSON. */
json_t *open311_json_parse(const char *text);
/* Leaves out `key` from every object of the list where it is null (extensions not asked for). */
void open311_json_drop_nulls(json_t *list, const char *key);

#endif
