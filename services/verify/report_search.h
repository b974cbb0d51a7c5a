#ifndef ADUAN_VERIFY_REPORT_SEARCH_H
#define ADUAN_VERIFY_REPORT_SEARCH_H

#include "db.h"

/* The text of new reports (title and body) copied where the staff search's trigram index reads it
 * (report_search, migration 0049), off intake's path. `report_ids` is a bigint[] literal; a report
 * already copied is left as it is, so a replayed run changes nothing. 0, or -1 with the error. */
int report_search_add(db_t *db, const char *report_ids, db_error_t *error);

/* Its statement, for tests that check its plan ($1 the ids). */
extern const char report_search_add_sql[];

#endif
