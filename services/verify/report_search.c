#include "report_search.h"

/* Each report by its key: the run's ids, never the table. */
const char report_search_add_sql[] =
    "INSERT INTO report_search (report_id, words) "
    "SELECT r.id, r.title || ' ' || r.body FROM reports r WHERE r.id = ANY ($1::bigint[]) "
    "ON CONFLICT (report_id) DO NOTHING";

int report_search_add(db_t *db, const char *report_ids, db_error_t *error)
{
    const char *params[] = {report_ids};
    return db_exec_ok(db, report_search_add_sql, 1, params, error);
}
