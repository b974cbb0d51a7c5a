#include "desk_filter_store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NOT_FOUND "you have no saved filter with this id"

/* The first value of a one-row answer, copied; -1 without memory. */
static int take_text(PGresult *r, char **json, db_error_t *error)
{
    *json = strdup(PQgetvalue(r, 0, 0));
    if (!*json)
        snprintf(error->message, sizeof error->message, "out of memory");
    return *json ? 0 : -1;
}

int desk_filter_store_list(db_t *db, int64_t staff_id, char **json, db_error_t *error)
{
    char member[24];
    snprintf(member, sizeof member, "%lld", (long long) staff_id);
    const char *params[] = {member};
    PGresult *r = db_exec(db,
        "SELECT json_build_object('items', coalesce(json_agg(json_build_object('id', id, 'name', name, "
        "'filters', filters) ORDER BY name, id), '[]'::json))::text "
        "FROM desk_saved_filters WHERE staff_id = $1::bigint", 1, params, error);
    if (!r)
        return -1;
    int rc = take_text(r, json, error);
    PQclear(r);
    return rc;
}

/* The name is taken or the member is at the bound: which, as a field error. Returns 1. */
static int refuse_name(bool full, error_reply_t *refusal)
{
    field_errors_t errors;
    field_errors_clear(&errors);
    if (full)
        field_errors_add(&errors, "name", "too_many", "a member keeps at most %d saved filters", DESK_FILTER_SAVED_MAX);
    else
        field_errors_add(&errors, "name", "taken", "you have a saved filter of this name");
    return error_reply_refuse_fields(refusal, "the saved filter is invalid", &errors);
}

int desk_filter_store_save(db_t *db, int64_t staff_id, const char *name, const char *filters, char **json,
                           error_reply_t *refusal, db_error_t *error)
{
    char member[24], max[16];
    snprintf(member, sizeof member, "%lld", (long long) staff_id);
    snprintf(max, sizeof max, "%d", DESK_FILTER_SAVED_MAX);
    const char *params[] = {member, name, filters, max};
    /* One statement: the count and the insert see the same snapshot, and the unique key settles two
     * saves of one name at once. */
    PGresult *r = db_exec(db,
        "WITH n AS (SELECT count(*) AS saved FROM desk_saved_filters WHERE staff_id = $1::bigint), "
        "ins AS (INSERT INTO desk_saved_filters (staff_id, name, filters) SELECT $1::bigint, $2, $3::jsonb FROM n "
        "        WHERE n.saved < $4::int ON CONFLICT (staff_id, name) DO NOTHING RETURNING id, name, filters) "
        "SELECT (SELECT json_build_object('id', id, 'name', name, 'filters', filters)::text FROM ins), "
        "       (SELECT saved FROM n) >= $4::int", 4, params, error);
    if (!r)
        return -1;
    int rc = PQgetisnull(r, 0, 0) ? refuse_name(PQgetvalue(r, 0, 1)[0] == 't', refusal) : take_text(r, json, error);
    PQclear(r);
    return rc;
}

int desk_filter_store_delete(db_t *db, int64_t staff_id, int64_t id, error_reply_t *refusal, db_error_t *error)
{
    char member[24], filter[24];
    snprintf(member, sizeof member, "%lld", (long long) staff_id);
    snprintf(filter, sizeof filter, "%lld", (long long) id);
    const char *params[] = {filter, member};
    PGresult *r = db_exec(db, "DELETE FROM desk_saved_filters WHERE id = $1::bigint AND staff_id = $2::bigint",
                          2, params, error);
    if (!r)
        return -1;
    bool found = strcmp(PQcmdTuples(r), "1") == 0;
    PQclear(r);
    return found ? 0 : error_reply_refuse(refusal, ERROR_NOT_FOUND, NOT_FOUND);
}
