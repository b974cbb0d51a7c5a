#ifndef ADUAN_GATEWAY_CSV_TABLE_H
#define ADUAN_GATEWAY_CSV_TABLE_H

#include <jansson.h>

/* A JSON array of objects as CSV (RFC 4180: CRLF line ends, fields quoted when they hold a comma,
 * quote or line break, quotes doubled; UTF-8 as is). The columns are the first object's members in
 * order, a nested object's members as "name.member"; null and missing values are empty fields;
 * no rows give an empty text. A text starting with = + - @ tab or CR gets a ' before it, so that a
 * spreadsheet does not take it for a formula (numbers stay numbers).
 * Returns a malloc'd text, or NULL when out of memory. */
char *csv_table_render(const json_t *rows);

#endif
