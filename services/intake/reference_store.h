#ifndef ADUAN_INTAKE_REFERENCE_STORE_H
#define ADUAN_INTAKE_REFERENCE_STORE_H
#include "db.h"
#include "reference_codec.h"

/* All SQL on the reference tables a submission form needs. */

/* Fills *list with the active rows of `table` (categories | regions | institutions), ordered by
 * code. 1 for an unknown table, -1 on a database error. */
int reference_store_list(db_t *db, const char *table, reference_list_t *list, db_error_t *error);

#endif
