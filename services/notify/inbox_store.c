#include "inbox_store.h"

#include <stdio.h>

static void int_text(int64_t value, char out[24])
{
    snprintf(out, 24, "%lld", (long long) value);
}

int inbox_store_list(db_t *db, int64_t staff_id, bool unread_only, int limit, char **json, db_error_t *error)
{
    char staff[24], max[24];
    int_text(staff_id, staff);
    int_text(limit < 1 || limit > 200 ? 50 : limit, max);
    const char *params[] = {staff, unread_only ? "t" : "f", max};
    return db_query_value(db,
        "SELECT json_build_object('items', COALESCE((SELECT json_agg(json_build_object('id', i.id, "
        "    'tracking_id', i.tracking_id, 'event_type', i.event_type, 'subject', i.subject, 'body', i.body, "
        "    'created_at', iso_utc(i.created_at), 'read_at', iso_utc(i.read_at)) ORDER BY i.id DESC) "
        "  FROM (SELECT * FROM inbox_items WHERE staff_id = $1::bigint AND (NOT $2::boolean OR read_at IS NULL) "
        "        ORDER BY id DESC LIMIT $3::int) i), '[]'), "
        "  'unread', (SELECT count(*) FROM inbox_items WHERE staff_id = $1::bigint AND read_at IS NULL))::text",
        3, params, json, error);
}

int inbox_store_mark_read(db_t *db, int64_t staff_id, int64_t item_id, db_error_t *error)
{
    char staff[24], item[24];
    int_text(staff_id, staff);
    int_text(item_id, item);
    const char *params[] = {staff, item};
    PGresult *r = db_exec(db,
        "WITH marked AS (UPDATE inbox_items SET read_at = COALESCE(read_at, now()) "
        "  WHERE staff_id = $1::bigint AND ($2::bigint = 0 OR id = $2::bigint) RETURNING id) "
        "SELECT count(*) FROM marked", 2, params, error);
    if (!r)
        return -1;
    int rc = item_id > 0 && PQgetvalue(r, 0, 0)[0] == '0' ? 1 : 0;
    PQclear(r);
    return rc;
}
