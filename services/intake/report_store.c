#include "report_store.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db_array.h"

enum { CODE_INDEX, CODE_CATEGORY, CODE_REGION, CODE_TARGET, CODE_COLUMNS };
_Static_assert(CODE_COLUMNS == REPORT_CODES_PARAMS, "report_codes_query_t holds one parameter a column");

static const struct {
    report_unknown_code_t code;
    const char *field;
} code_fields[] = {
    {REPORT_UNKNOWN_CATEGORY, "category"}, {REPORT_UNKNOWN_REGION, "region"}, {REPORT_UNKNOWN_TARGET, "target_institution"}};
#define CODE_FIELD_COUNT (sizeof code_fields / sizeof code_fields[0])

void report_store_codes_read(const PGresult *answer, const report_submission_t *const *submissions,
                             unsigned *unknown, size_t count)
{
    memset(unknown, 0, count * sizeof *unknown);
    for (int row = 0; row < PQntuples(answer); row++) {
        size_t i = strtoull(PQgetvalue(answer, row, 0), NULL, 10);
        if (i >= count || !submissions[i])
            continue;
        for (size_t f = 0; f < CODE_FIELD_COUNT; f++)
            if (PQgetvalue(answer, row, (int) f + 1)[0] != 't')
                unknown[i] |= code_fields[f].code;
    }
}

void report_store_describe_unknown(const report_submission_t *submission, unsigned unknown, field_errors_t *errors)
{
    const char *values[] = {submission->category, submission->region, submission->target_institution};
    for (size_t f = 0; f < CODE_FIELD_COUNT; f++)
        if (unknown & code_fields[f].code)
            field_errors_add(errors, code_fields[f].field, "unknown", "%s '%s' does not exist", code_fields[f].field,
                             values[f]);
}

int report_store_codes_query(const report_submission_t *const *submissions, size_t count,
                             report_codes_query_t *query, db_statement_t *statement)
{
    db_array_t columns[CODE_COLUMNS];
    memset(columns, 0, sizeof columns);
    for (size_t i = 0; i < count; i++)
        if (submissions[i]) {
            db_array_add_int(&columns[CODE_INDEX], (int64_t) i);
            db_array_add(&columns[CODE_CATEGORY], submissions[i]->category);
            db_array_add(&columns[CODE_REGION], submissions[i]->region);
            db_array_add(&columns[CODE_TARGET], submissions[i]->target_institution);
        }
    bool complete = db_array_take_columns(columns, CODE_COLUMNS, query->owned, query->params);
    *statement = (db_statement_t) {
        "SELECT s.n, EXISTS (SELECT 1 FROM categories WHERE code = s.category AND active), "
        "       EXISTS (SELECT 1 FROM regions WHERE code = s.region), "
        "       s.target IS NULL OR EXISTS (SELECT 1 FROM institutions WHERE code = s.target AND active) "
        "FROM unnest($1::bigint[], $2::text[], $3::text[], $4::text[]) AS s(n, category, region, target)",
        CODE_COLUMNS, query->params};
    return complete ? 0 : -1;
}

void report_store_codes_query_clear(report_codes_query_t *query)
{
    for (int c = 0; c < CODE_COLUMNS; c++) {
        free(query->owned[c]);
        query->owned[c] = NULL;
    }
}

enum {
    NEW_N, NEW_TRACKING_ID, NEW_CLASSIFICATION, NEW_TITLE, NEW_BODY, NEW_CATEGORY, NEW_REGION, NEW_INCIDENT_DATE,
    NEW_ADDRESS, NEW_LAT, NEW_LON, NEW_TARGET, NEW_ANONYMOUS, NEW_CONFIDENTIAL, NEW_REPORTER_NAME, NEW_REPORTER_EMAIL,
    NEW_REPORTER_PHONE, NEW_CHANNEL, NEW_TOKEN_HASH, NEW_NEXT_DUE_AT, NEW_COLUMNS
};

/* One statement for every report of the batch: a report's own statement cost about as much again
 * as its row (executor start, the 19 indexes opened, the foreign keys' checks queued), 0.32 ms a
 * report against 0.18 ms as rows of one statement (docs/performance.md, stop 34). */
static const char insert_many_sql[] =
    "WITH report AS (INSERT INTO reports (tracking_id, classification, title, body, category_code, region_code, "
    "  incident_date, address, lat, lon, target_institution, anonymous, confidential, reporter_name, "
    "  reporter_email, reporter_phone, channel, status, reporter_token_hash, next_due_at) "
    "  SELECT v.tracking_id, v.classification, v.title, v.body, v.category, v.region, v.incident_date, v.address, "
    "    v.lat, v.lon, v.target, v.anonymous, v.confidential, v.reporter_name, v.reporter_email, v.reporter_phone, "
    "    v.channel, $21, v.token_hash, v.next_due_at "
    "  FROM unnest($1::int[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::date[], "
    "    $9::text[], $10::float8[], $11::float8[], $12::text[], $13::boolean[], $14::boolean[], $15::text[], "
    "    $16::text[], $17::text[], $18::text[], $19::text[], $20::timestamptz[]) "
    "    AS v(n, tracking_id, classification, title, body, category, region, incident_date, address, lat, lon, "
    "    target, anonymous, confidential, reporter_name, reporter_email, reporter_phone, channel, token_hash, "
    "    next_due_at) "
    "  ORDER BY v.n "
    "  ON CONFLICT (tracking_id) DO NOTHING RETURNING id, tracking_id, submitted_at), "
    "action AS (INSERT INTO report_actions (report_id, action, actor_role, status_after) "
    "  SELECT id, 'submitted', 'reporter', $21 FROM report) "
    "SELECT tracking_id, id, (extract(epoch FROM submitted_at) * 1000)::bigint FROM report";

/* A fresh tracking id for each row not stored yet, none twice in the batch: the statement's
 * answer is matched to its rows by tracking id. */
static int give_tracking_ids(report_new_t *rows, size_t count)
{
    for (size_t i = 0; i < count; i++) {
        if (rows[i].stored.id)
            continue;
        bool taken = true;
        while (taken) {
            if (tracking_id_generate(rows[i].stored.tracking_id) != 0)
                return -1;
            taken = false;
            for (size_t k = 0; k < count && !taken; k++)
                taken = k != i && strcmp(rows[k].stored.tracking_id, rows[i].stored.tracking_id) == 0;
        }
    }
    return 0;
}

static void add_row(db_array_t *columns, size_t i, const report_new_t *row)
{
    const report_submission_t *s = row->submission;
    char lat[32], lon[32];
    snprintf(lat, sizeof lat, "%.17g", s->lat);
    snprintf(lon, sizeof lon, "%.17g", s->lon);
    db_array_add_int(&columns[NEW_N], (int64_t) i);
    db_array_add(&columns[NEW_TRACKING_ID], row->stored.tracking_id);
    db_array_add(&columns[NEW_CLASSIFICATION], s->classification);
    db_array_add(&columns[NEW_TITLE], s->title);
    db_array_add(&columns[NEW_BODY], s->body);
    db_array_add(&columns[NEW_CATEGORY], s->category);
    db_array_add(&columns[NEW_REGION], s->region);
    db_array_add(&columns[NEW_INCIDENT_DATE], s->incident_date);
    db_array_add(&columns[NEW_ADDRESS], s->address);
    db_array_add(&columns[NEW_LAT], s->has_coordinates ? lat : NULL);
    db_array_add(&columns[NEW_LON], s->has_coordinates ? lon : NULL);
    db_array_add(&columns[NEW_TARGET], s->target_institution);
    db_array_add(&columns[NEW_ANONYMOUS], s->anonymous ? "true" : "false");
    db_array_add(&columns[NEW_CONFIDENTIAL], s->confidential ? "true" : "false");
    db_array_add(&columns[NEW_REPORTER_NAME], s->reporter_name);
    db_array_add(&columns[NEW_REPORTER_EMAIL], s->reporter_email);
    db_array_add(&columns[NEW_REPORTER_PHONE], s->reporter_phone);
    db_array_add(&columns[NEW_CHANNEL], s->channel);
    db_array_add(&columns[NEW_TOKEN_HASH], row->token_hash);
    db_array_add(&columns[NEW_NEXT_DUE_AT], row->next_due_at);
}

/* The rows the statement stored get their id and time; the others (their tracking id was taken)
 * keep id 0. */
static void note_stored(const PGresult *r, report_new_t *rows, size_t count)
{
    for (int row = 0; row < PQntuples(r); row++)
        for (size_t i = 0; i < count; i++)
            if (!rows[i].stored.id && strcmp(rows[i].stored.tracking_id, PQgetvalue(r, row, 0)) == 0) {
                rows[i].stored.id = strtoll(PQgetvalue(r, row, 1), NULL, 10);
                rows[i].stored.submitted_at_ms = strtoll(PQgetvalue(r, row, 2), NULL, 10);
                break;
            }
}

/* One attempt: the rows not stored yet, in one statement. */
static int insert_unstored(db_t *db, report_new_t *rows, size_t count, db_error_t *error)
{
    db_array_t columns[NEW_COLUMNS];
    memset(columns, 0, sizeof columns);
    for (size_t i = 0; i < count; i++)
        if (!rows[i].stored.id)
            add_row(columns, i, &rows[i]);
    char *owned[NEW_COLUMNS];
    const char *params[NEW_COLUMNS + 1];
    bool complete = db_array_take_columns(columns, NEW_COLUMNS, owned, params);
    params[NEW_COLUMNS] = REPORT_STATUS_SUBMITTED;
    PGresult *r = NULL;
    if (!complete)
        snprintf(error->message, sizeof error->message, "out of memory listing new reports");
    else
        r = db_exec(db, insert_many_sql, NEW_COLUMNS + 1, params, error);
    for (int c = 0; c < NEW_COLUMNS; c++)
        free(owned[c]);
    if (!r)
        return -1;
    note_stored(r, rows, count);
    PQclear(r);
    return 0;
}

static bool all_stored(const report_new_t *rows, size_t count)
{
    for (size_t i = 0; i < count; i++)
        if (!rows[i].stored.id)
            return false;
    return true;
}

int report_store_insert_many(db_t *db, report_new_t *rows, size_t count, db_error_t *error)
{
    for (size_t i = 0; i < count; i++)
        rows[i].stored.id = 0;
    /* A clash of 55 random bits is rare; trying again with new ids keeps the transaction alive. */
    for (int attempt = 0; attempt < 5; attempt++) {
        if (give_tracking_ids(rows, count) != 0) {
            snprintf(error->message, sizeof error->message, "no random bytes for a tracking id");
            return -1;
        }
        if (insert_unstored(db, rows, count, error) != 0)
            return -1;
        if (all_stored(rows, count))
            return 0;
    }
    snprintf(error->message, sizeof error->message, "no free tracking id after 5 attempts");
    return -1;
}

/* The report's columns, from its group's first row. */
static void fill_view(const PGresult *r, int row, report_view_t *v)
{
    v->tracking_id = db_value_dup(r, row, 0);
    v->classification = db_value_dup(r, row, 1);
    v->status = db_value_dup(r, row, 2);
    v->anonymous = PQgetvalue(r, row, 3)[0] == 't';
    v->confidential = PQgetvalue(r, row, 4)[0] == 't';
    v->title = db_value_dup(r, row, 5);
    v->body = db_value_dup(r, row, 6);
    v->category = db_value_dup(r, row, 7);
    v->region = db_value_dup(r, row, 8);
    v->incident_date = db_value_dup(r, row, 9);
    v->address = db_value_dup(r, row, 10);
    v->has_coordinates = !PQgetisnull(r, row, 11);
    v->lat = v->has_coordinates ? strtod(PQgetvalue(r, row, 11), NULL) : 0;
    v->lon = v->has_coordinates ? strtod(PQgetvalue(r, row, 12), NULL) : 0;
    v->target_institution = db_value_dup(r, row, 13);
    v->institution = db_value_dup(r, row, 14);
    v->channel = db_value_dup(r, row, 15);
    v->reporter_name = db_value_dup(r, row, 16);
    v->reporter_email = db_value_dup(r, row, 17);
    v->reporter_phone = db_value_dup(r, row, 18);
    v->submitted_at_ms = strtoll(PQgetvalue(r, row, 19), NULL, 10);
    v->updated_at_ms = strtoll(PQgetvalue(r, row, 20), NULL, 10);
    v->public_status = db_value_dup(r, row, 23);
}

/* One round trip for GET tracking, for every lookup waiting together: each report with its open
 * clock due first (the page says by when the next step is due; a missed clock stays open until
 * met, so it is still the one shown) and its attachment count on every row, and one row per public
 * action, oldest first (a report without actions gives one row with NULL action columns); the
 * rows of one report follow each other. Four statements before this cost four round trips and
 * four plans per request, and one statement per request left intake a round trip per lookup. */
const char report_store_load_sql[] =
    "SELECT r.tracking_id, r.classification, r.status, r.anonymous, r.confidential, r.title, r.body, r.category_code, "
    "r.region_code, to_char(r.incident_date, 'YYYY-MM-DD'), r.address, r.lat, r.lon, r.target_institution, "
    "r.institution_code, r.channel, r.reporter_name, r.reporter_email, r.reporter_phone, "
    "(extract(epoch FROM r.submitted_at) * 1000)::bigint, (extract(epoch FROM r.updated_at) * 1000)::bigint, "
    "r.reporter_token_hash, r.id, (SELECT public_status FROM report_statuses s WHERE s.status = r.status), "
    "d.kind, (extract(epoch FROM d.due_at) * 1000)::bigint, "
    "(SELECT count(*) FROM attachments f WHERE f.report_id = r.id), "
    "(extract(epoch FROM a.at) * 1000)::bigint, a.action, a.actor_role, a.status_after, a.note "
    "FROM reports r "
    "LEFT JOIN LATERAL (SELECT kind, due_at FROM report_deadlines WHERE report_id = r.id AND ended_at IS NULL "
    "                   ORDER BY due_at, id LIMIT 1) d ON true "
    "LEFT JOIN LATERAL (SELECT id, at, action, actor_role, status_after, note FROM report_actions "
    "                   WHERE report_id = r.id AND NOT internal ORDER BY id LIMIT 1000) a ON true "
    "WHERE r.tracking_id = ANY($1::text[]) ORDER BY r.id, a.id";

enum { COL_TOKEN_HASH = 21, COL_DEADLINE_KIND = 24, COL_DEADLINE_DUE, COL_ATTACHMENTS, COL_ACTION_AT };

/* The clock, attachment count and actions of the report whose rows are first .. first+rows-1. */
static int fill_extras(const PGresult *r, int first, int rows, report_view_t *v)
{
    if (!PQgetisnull(r, first, COL_DEADLINE_KIND)) {
        v->deadline_kind = db_value_dup(r, first, COL_DEADLINE_KIND);
        v->deadline_due_ms = strtoll(PQgetvalue(r, first, COL_DEADLINE_DUE), NULL, 10);
        v->has_deadline = v->deadline_kind != NULL;
    }
    v->attachment_count = strtoll(PQgetvalue(r, first, COL_ATTACHMENTS), NULL, 10);
    if (PQgetisnull(r, first, COL_ACTION_AT))
        rows = 0;
    if (rows && !(v->actions = calloc((size_t) rows, sizeof *v->actions)))
        return -1;
    for (int i = first; i < first + rows; i++) {
        report_action_t *a = &v->actions[i - first];
        a->at_ms = strtoll(PQgetvalue(r, i, COL_ACTION_AT), NULL, 10);
        a->action = db_value_dup(r, i, COL_ACTION_AT + 1);
        a->actor_role = db_value_dup(r, i, COL_ACTION_AT + 2);
        a->status_after = db_value_dup(r, i, COL_ACTION_AT + 3);
        a->note = db_value_dup(r, i, COL_ACTION_AT + 4);
        v->action_count++;
    }
    return 0;
}

/* Every lookup asking for the report of rows first .. first+rows-1 gets its own copy of it. */
static int fill_asked(const PGresult *r, int first, int rows, report_load_t *loads, size_t count)
{
    const char *tracking_id = PQgetvalue(r, first, 0);
    for (size_t i = 0; i < count; i++) {
        report_load_t *l = &loads[i];
        if (!l->tracking_id || l->found || strcmp(l->tracking_id, tracking_id) != 0)
            continue;
        l->found = true;
        fill_view(r, first, &l->view);
        snprintf(l->token_hash, sizeof l->token_hash, "%s", PQgetvalue(r, first, COL_TOKEN_HASH));
        if (fill_extras(r, first, rows, &l->view) != 0)
            return -1;
    }
    return 0;
}

/* The row after the last one of the report whose rows start at `first`. */
static int report_end(const PGresult *r, int first)
{
    int next = first + 1;
    while (next < PQntuples(r) && strcmp(PQgetvalue(r, next, 0), PQgetvalue(r, first, 0)) == 0)
        next++;
    return next;
}

static int fill_loads(const PGresult *r, report_load_t *loads, size_t count)
{
    for (int first = 0, next; first < PQntuples(r); first = next) {
        next = report_end(r, first);
        if (fill_asked(r, first, next - first, loads, count) != 0)
            return -1;
    }
    return 0;
}

static void clear_loads(report_load_t *loads, size_t count)
{
    for (size_t i = 0; i < count; i++) {
        report_view_clear(&loads[i].view);
        loads[i].found = false;
    }
}

int report_store_load_many(db_t *db, report_load_t *loads, size_t count, db_error_t *error)
{
    db_array_t ids = {0};
    for (size_t i = 0; i < count; i++) {
        memset(&loads[i].view, 0, sizeof loads[i].view);
        loads[i].found = false;
        loads[i].token_hash[0] = '\0';
        if (loads[i].tracking_id)
            db_array_add(&ids, loads[i].tracking_id);
    }
    if (ids.count == 0)
        return 0;
    char *literal = db_array_take(&ids);
    if (!literal) {
        snprintf(error->message, sizeof error->message, "out of memory for the tracking ids");
        return -1;
    }
    const char *params[] = {literal};
    PGresult *r = db_exec(db, report_store_load_sql, 1, params, error);
    free(literal);
    if (!r)
        return -1;
    int rc = fill_loads(r, loads, count);
    PQclear(r);
    if (rc != 0) {
        clear_loads(loads, count);
        snprintf(error->message, sizeof error->message, "out of memory for the reports' actions");
    }
    return rc;
}

int report_store_access(db_t *db, const char *tracking_id, int64_t *report_id, bool *confidential,
                        char token_hash[65], db_error_t *error)
{
    const char *params[] = {tracking_id};
    PGresult *r = db_exec(db, "SELECT id, confidential, reporter_token_hash FROM reports WHERE tracking_id = $1", 1,
                          params, error);
    if (!r)
        return -1;
    int found = PQntuples(r) == 1;
    if (found) {
        *report_id = strtoll(PQgetvalue(r, 0, 0), NULL, 10);
        *confidential = PQgetvalue(r, 0, 1)[0] == 't';
        snprintf(token_hash, 65, "%s", PQgetvalue(r, 0, 2));
    }
    PQclear(r);
    return found ? 0 : 1;
}

int report_store_lock(db_t *db, int64_t report_id, db_error_t *error)
{
    char id[24];
    snprintf(id, sizeof id, "%lld", (long long) report_id);
    const char *params[] = {id};
    PGresult *r = db_exec(db, "SELECT 1 FROM reports WHERE id = $1 FOR UPDATE", 1, params, error);
    if (!r)
        return -1;
    int found = PQntuples(r) == 1;
    PQclear(r);
    return found ? 0 : 1;
}

int report_store_in_scope(db_t *db, int64_t report_id, const char *role, const char *institution, bool *in,
                          db_error_t *error)
{
    char id[24];
    snprintf(id, sizeof id, "%lld", (long long) report_id);
    const char *params[] = {id, role, institution};
    PGresult *r = db_exec(db, "SELECT coalesce($2 = 'national_admin' OR institution_within("
                              "COALESCE(institution_code, target_institution), $3), false) FROM reports WHERE id = $1",
                          3, params, error);
    if (!r)
        return -1;
    *in = PQntuples(r) == 1 && PQgetvalue(r, 0, 0)[0] == 't';
    PQclear(r);
    return 0;
}
