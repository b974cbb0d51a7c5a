#include "holiday_store.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "calendar_date.h"
#include "config_events.h"
#include "message_types.h"
#include "utf8_text.h"

#define INVALID "the holiday has invalid fields"
#define HOLIDAY_NAME_MAX 200
#define HOLIDAY_JSON "json_build_object('day', h.day, 'name', h.name, 'kind', h.kind)"

/* Both changes move the same clocks: open, not yet missed, due after the day (the index on due_at). */
#define CLOCKS_TO_MOVE \
    "ended_at IS NULL AND missed_at IS NULL " \
    "AND due_at >= (($1::date + 1)::timestamp AT TIME ZONE 'Asia/Jakarta') " \
    "AND holiday_moved_deadline(started_at, due_at, $1::date, $2::int) IS DISTINCT FROM due_at"

/* Moving a clock updates its report (the trigger of migration 0031), and a lifecycle step locks
 * its report before its clocks: the change takes the reports first too, in id order, or a step
 * holding one of them and reaching for its clock makes a deadlock (tests/db/test_holiday_lock_order.c).
 * Only the clocks of the reports it holds are moved, so it never waits for a report it has not. */
#define LOCK_REPORTS_SQL \
    "SELECT COALESCE(array_agg(id), '{}')::text FROM (SELECT r.id FROM reports r WHERE r.id IN " \
    "  (SELECT report_id FROM report_deadlines WHERE " CLOCKS_TO_MOVE ") ORDER BY r.id FOR NO KEY UPDATE OF r) held"

#define MOVE_CLOCKS_SQL \
    "WITH moved AS (UPDATE report_deadlines SET " \
    "    due_at = holiday_moved_deadline(started_at, due_at, $1::date, $2::int), " \
    "    warn_at = CASE WHEN warned_at IS NULL THEN holiday_moved_deadline(started_at, warn_at, $1::date, $2::int) " \
    "              ELSE warn_at END " \
    "  WHERE " CLOCKS_TO_MOVE " AND report_id = ANY($3::bigint[]) RETURNING 1) " \
    "SELECT count(*) FROM moved"

int holiday_store_list(db_t *db, char **json, db_error_t *error)
{
    return db_query_value(db, "SELECT json_build_object('holidays', COALESCE(json_agg(" HOLIDAY_JSON
                              " ORDER BY h.day), '[]'))::text FROM holidays h", 0, NULL, json, error);
}

static void validate(const holiday_change_t *change, bool adding, field_errors_t *errors)
{
    if (!calendar_date_parse(change->day, NULL, NULL, NULL))
        field_errors_add(errors, "day", change->day ? "invalid" : "required", "day must be a date YYYY-MM-DD");
    if (!adding)
        return;
    const char *name = change->name;
    long length = name ? utf8_text_length(name, strlen(name)) : 0;
    if (length < 1 || length > HOLIDAY_NAME_MAX || !utf8_text_is_printable(name, false) || isspace((unsigned char) name[0]))
        field_errors_add(errors, "name", name ? "invalid" : "required",
                         "name must be 1 to %d printable characters", HOLIDAY_NAME_MAX);
    if (change->kind && strcmp(change->kind, "national") != 0 && strcmp(change->kind, "joint_leave") != 0)
        field_errors_add(errors, "kind", "invalid", "kind must be national or joint_leave");
}

/* The clocks the change moved (delta 1: the day became a holiday, -1: it stopped being one). */
static int move_clocks(db_t *db, const char *day, const char *delta, int64_t *moved, db_error_t *error)
{
    char *held = NULL, *count = NULL;
    const char *lock_params[] = {day, delta};
    if (db_query_value(db, LOCK_REPORTS_SQL, 2, lock_params, &held, error) != 0)
        return -1;
    const char *params[] = {day, delta, held};
    int rc = db_query_value(db, MOVE_CLOCKS_SQL, 3, params, &count, error);
    *moved = rc == 0 && count ? strtoll(count, NULL, 10) : 0;
    free(held);
    free(count);
    return rc;
}

static int append_event(db_t *db, const char *type, const holiday_change_t *change, const char *name,
                        const char *kind, int64_t moved, db_error_t *error)
{
    const config_event_field_t fields[] = {
        {"day", change->day, false, 0}, {"name", name, false, 0}, {"kind", kind, false, 0},
        {"clocks_moved", NULL, true, moved},
    };
    config_event_t event = {type, change->actor_role, change->actor, fields, sizeof fields / sizeof fields[0]};
    return config_events_append(db, &event, error);
}

/* The same holiday there already: the answer of a command resent after its commit. */
static int added_before(db_t *db, const holiday_change_t *change, const char *kind, char **json,
                        error_reply_t *refusal, db_error_t *error)
{
    const char *params[] = {change->day, change->name, kind};
    if (db_query_value(db, "SELECT " HOLIDAY_JSON "::text FROM holidays h WHERE h.day = $1::date "
                           "AND h.name = $2 AND h.kind = $3", 3, params, json, error) != 0)
        return -1;
    if (*json)
        return 0;
    field_errors_t errors;
    field_errors_clear(&errors);
    field_errors_add(&errors, "day", "taken", "this day is a holiday already");
    return error_reply_refuse_fields(refusal, INVALID, &errors);
}

int holiday_store_add(db_t *db, const holiday_change_t *change, char **json, error_reply_t *refusal, db_error_t *error)
{
    field_errors_t errors;
    field_errors_clear(&errors);
    validate(change, true, &errors);
    if (errors.count)
        return error_reply_refuse_fields(refusal, INVALID, &errors);
    const char *kind = change->kind ? change->kind : "national";
    const char *params[] = {change->day, change->name, kind};
    if (db_query_value(db, "WITH h AS (INSERT INTO holidays (day, name, kind) VALUES ($1::date, $2, $3) "
                           "  ON CONFLICT (day) DO NOTHING RETURNING *), "
                           "back AS (DELETE FROM removed_reference_rows WHERE table_name = 'holidays' "
                           "  AND key IN (SELECT day::text FROM h)) "
                           "SELECT " HOLIDAY_JSON "::text FROM h", 3, params, json, error) != 0)
        return -1;
    if (!*json)
        return added_before(db, change, kind, json, refusal, error);
    int64_t moved = 0;
    if (move_clocks(db, change->day, "1", &moved, error) != 0)
        return -1;
    return append_event(db, EVENT_HOLIDAY_ADDED, change, change->name, kind, moved, error);
}

int holiday_store_remove(db_t *db, const holiday_change_t *change, error_reply_t *refusal, db_error_t *error)
{
    field_errors_t errors;
    field_errors_clear(&errors);
    validate(change, false, &errors);
    if (errors.count)
        return error_reply_refuse_fields(refusal, INVALID, &errors);
    const char *params[] = {change->day};
    PGresult *r = db_exec(db, "WITH gone AS (DELETE FROM holidays WHERE day = $1::date RETURNING *), "
                              "kept_out AS (INSERT INTO removed_reference_rows (table_name, key) "
                              "  SELECT 'holidays', day::text FROM gone ON CONFLICT DO NOTHING) "
                              "SELECT name, kind FROM gone", 1, params, error);
    if (!r)
        return -1;
    if (PQntuples(r) == 0) {
        PQclear(r);
        return error_reply_refuse(refusal, ERROR_NOT_FOUND, "this day is not a holiday");
    }
    int64_t moved = 0;
    int rc = move_clocks(db, change->day, "-1", &moved, error);
    if (rc == 0)
        rc = append_event(db, EVENT_HOLIDAY_REMOVED, change, PQgetvalue(r, 0, 0), PQgetvalue(r, 0, 1), moved, error);
    PQclear(r);
    return rc;
}
