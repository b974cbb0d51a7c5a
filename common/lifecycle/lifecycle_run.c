#include "lifecycle_run.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db_array.h"
#include "event_log.h"
#include "lifecycle_store.h"
#include "logger.h"
#include "report_events.h"
#include "report_lifecycle.h"
#include "utf8_text.h"

typedef struct {
    db_t *db;
    const lifecycle_rule_t *rule;
    lifecycle_run_step_t *steps;
    size_t count;
    int64_t now_ms;
    char now[24];
    PGresult *locked;     /* n, id, status, institution_code, done, institution_ok — ordered by id */
    int *row;             /* per step: its row in locked, -1 when left for one at a time */
    PGresult *updated;    /* per applied step, as the report now is (see update_sql) */
} run_t;

static int out_of_memory(db_error_t *error)
{
    snprintf(error->sqlstate, sizeof error->sqlstate, "%s", "");
    snprintf(error->message, sizeof error->message, "out of memory");
    return -1;
}

/* Three of the run's statements are planned for each run (db_exec_planned): the lock, the reports'
 * update and the clocks' update. A consumer's connection prepares its statements
 * (db_prepare_statements), and after five executions PostgreSQL may keep a generic plan made while
 * a table was nearly empty, used as the table grows until an analyze happens to replan it:
 * - the clocks' update read the whole of report_deadlines at every run (a sequential scan of every
 *   clock, 40 ms a run of 100 at 5 000 reports);
 * - the reports' lock hashed the whole of report_actions to tell the request ids already used (8-11
 *   ms a run of 50 with two route members in the drain benchmark);
 * - the reports' update read every clock to find those its reports keep (15-27 ms a run of 100 at
 *   60 000 clocks, two thirds of route's time in the drain benchmark): its generic plan prices ten
 *   ids, below the hundred of a custom one, so it is kept whenever the first runs were long.
 * Planned for each run's input and the tables as they are, all three read by index. Not under
 * plan_cache_mode = force_custom_plan, as before: the foreign keys' checks their rows fire ran under
 * it too, each planned again for every row (after-trigger work was a fifth of route's backend time
 * in perf, most of it planning; half that since). */

/* The run's reports, locked in id order; whether each step's request id was seen and its
 * institution may hold reports. A status changed by a step that committed while we waited for the
 * lock shows here (a locking read returns the newest row), so such a step is left for one at a time.
 * OFFSET 0 keeps the request ids' EXISTS a probe of report_actions' unique index per step: without
 * it PostgreSQL may hash the whole history instead, which it prices below 100 index probes up to
 * tens of thousands of actions (5.5 ms of a 5.9 ms lock in the drain benchmark, growing with them). */
static int lock_reports(run_t *run, db_error_t *error)
{
    db_array_t columns[3];
    memset(columns, 0, sizeof columns);
    for (size_t i = 0; i < run->count; i++) {
        db_array_add(&columns[0], run->steps[i].tracking_id);
        db_array_add(&columns[1], run->steps[i].request_id);
        db_array_add(&columns[2], run->steps[i].institution);
    }
    char *tracking = db_array_take(&columns[0]), *requests = db_array_take(&columns[1]);
    char *institutions = db_array_take(&columns[2]);
    const char *params[] = {tracking, requests, institutions};
    bool built = tracking && requests && institutions;
    if (!built)
        out_of_memory(error);
    else
        run->locked = db_exec_planned(run->db,
            "SELECT v.n, r.id, r.status, r.institution_code, "
            "EXISTS (SELECT 1 FROM report_actions a WHERE a.request_id = v.request_id AND a.report_id = r.id OFFSET 0), "
            "v.institution IS NULL OR EXISTS (SELECT 1 FROM institutions i WHERE i.code = v.institution AND i.active) "
            "FROM unnest($1::text[], $2::text[], $3::text[]) WITH ORDINALITY AS v(tracking_id, request_id, institution, n) "
            "JOIN reports r ON r.tracking_id = v.tracking_id ORDER BY r.id, v.n FOR NO KEY UPDATE OF r",
            3, params, error);
    free(tracking);
    free(requests);
    free(institutions);
    return run->locked ? 0 : -1;
}

/* What lifecycle_store's checks would say of a system step, without asking the database again. */
static bool step_allowed(const run_t *run, const lifecycle_run_step_t *step, int row)
{
    const PGresult *r = run->locked;
    bool repeated = row > 0 && strcmp(PQgetvalue(r, row - 1, 1), PQgetvalue(r, row, 1)) == 0;
    return !repeated && PQgetvalue(r, row, 4)[0] == 'f' && PQgetvalue(r, row, 5)[0] == 't'
           && lifecycle_allowed_from(run->rule, PQgetvalue(r, row, 2))
           && (step->institution || !run->rule->institution_required)
           && (!step->note || utf8_text_is_printable(step->note, true));
}

/* Marks the steps applied set-wise (run->row); how many. */
static size_t choose_steps(run_t *run)
{
    size_t chosen = 0;
    for (size_t i = 0; i < run->count; i++)
        run->row[i] = -1;
    for (int row = 0; row < PQntuples(run->locked); row++) {
        size_t i = strtoull(PQgetvalue(run->locked, row, 0), NULL, 10) - 1;
        if (i < run->count && step_allowed(run, &run->steps[i], row)) {
            run->row[i] = row;
            chosen++;
        }
    }
    return chosen;
}

/* Columns of the chosen steps, in the run's order, as array literals (caller frees). */
typedef struct {
    char *ids, *institutions, *ns, *statuses, *notes, *requests;
} step_arrays_t;

static void step_arrays_free(step_arrays_t *a)
{
    free(a->ids);
    free(a->institutions);
    free(a->ns);
    free(a->statuses);
    free(a->notes);
    free(a->requests);
}

static int step_arrays(const run_t *run, step_arrays_t *out, db_error_t *error)
{
    db_array_t c[6];
    memset(c, 0, sizeof c);
    for (size_t i = 0; i < run->count; i++) {
        if (run->row[i] < 0)
            continue;
        const lifecycle_run_step_t *step = &run->steps[i];
        db_array_add(&c[0], PQgetvalue(run->locked, run->row[i], 1));
        db_array_add(&c[1], step->institution);
        db_array_add_int(&c[2], (int64_t) i + 1);
        db_array_add(&c[3], run->rule->to ? run->rule->to : PQgetvalue(run->locked, run->row[i], 2));
        db_array_add(&c[4], step->note);
        db_array_add(&c[5], step->request_id);
    }
    *out = (step_arrays_t) {db_array_take(&c[0]), db_array_take(&c[1]), db_array_take(&c[2]),
                            db_array_take(&c[3]), db_array_take(&c[4]), db_array_take(&c[5])};
    if (out->ids && out->institutions && out->ns && out->statuses && out->notes && out->requests)
        return 0;
    step_arrays_free(out);
    return out_of_memory(error);
}

/* The rule's clock kinds as array literals: those the step ends (met, cancelled, restarted), those
 * met among them, those it opens. */
typedef struct {
    char *ended, *met, *opened;
} clock_kinds_t;

static void clock_kinds_free(clock_kinds_t *k)
{
    free(k->ended);
    free(k->met);
    free(k->opened);
}

static void add_kinds(db_array_t *array, const char *const *kinds)
{
    for (int i = 0; kinds[i]; i++)
        db_array_add(array, kinds[i]);
}

static int clock_kinds(const lifecycle_rule_t *rule, clock_kinds_t *out, db_error_t *error)
{
    db_array_t c[3];
    memset(c, 0, sizeof c);
    add_kinds(&c[0], rule->meet);
    add_kinds(&c[0], rule->cancel);
    add_kinds(&c[0], rule->open);
    add_kinds(&c[1], rule->meet);
    add_kinds(&c[2], rule->open);
    *out = (clock_kinds_t) {db_array_take(&c[0]), db_array_take(&c[1]), db_array_take(&c[2])};
    if (out->ended && out->met && out->opened)
        return 0;
    clock_kinds_free(out);
    return out_of_memory(error);
}

/* A system step that names an institution hands the report to it, and the new holder assigns its
 * own officer (lifecycle_store's update_report for route). The report's next_due_at and
 * clock_missed are written here as the clocks will stand after run_clocks (those not ended, and
 * the new ones, due as open_new_clocks works them out: each distinct rule once), and 0031's
 * statement trigger on the clocks is told to leave them (next_due_written): one write of each
 * report per run instead of two or three, none of them HOT (status, holder, updated_at and
 * next_due_at are indexed).
 * Each distinct rule's due time once (MATERIALIZED, as in open_new_clocks); the reports by their
 * key (r.id = ANY): joined to the unnest alone, the planner scanned every report. The clocks kept,
 * each report's probed by its index (LATERAL) once (MATERIALIZED: inlined, it was probed again for
 * every report): from statistics that count few rows on the table's pages (taken while most were
 * dead, clocks ended and rewritten) the planner priced one scan of every clock below a hundred
 * probes, 1.3 ms a run at 16 000 clocks in the drain benchmark, growing with the table. The
 * run's rows meet their clocks in `steps` (MATERIALIZED), before the reports: joined after them,
 * the planner expected one row from the reports and read the whole of kept and of opened once for
 * each report (100 x 100 rows, 4.5 of the 11 ms a run of 100 took in the route drain). */
static int update_reports(run_t *run, const step_arrays_t *a, const clock_kinds_t *k, db_error_t *error)
{
    const char *params[] = {a->ids, a->institutions, a->ns, run->rule->to, run->now, k->ended, k->opened};
    run->updated = db_exec_planned(run->db,
        "WITH opening AS (SELECT o.id, rule.working_days FROM reports o CROSS JOIN unnest($7::text[]) AS k(kind) "
        "  CROSS JOIN LATERAL clock_rule(k.kind, o.classification, o.field_supervision) rule "
        "  WHERE o.id = ANY($1::bigint[])), "
        "dues AS MATERIALIZED (SELECT s.working_days, working_deadline(to_timestamp($5::bigint / 1000.0), "
        "  s.working_days) AS due_at FROM (SELECT DISTINCT working_days FROM opening) s), "
        "opened AS (SELECT p.id, min(w.due_at) AS due FROM opening p JOIN dues w ON w.working_days = p.working_days "
        "  GROUP BY p.id), "
        "kept AS MATERIALIZED (SELECT v.id, c.due, c.missed FROM (SELECT DISTINCT unnest($1::bigint[]) AS id) v "
        "  CROSS JOIN LATERAL (SELECT min(d.due_at) AS due, bool_or(d.missed_at IS NOT NULL) AS missed "
        "  FROM report_deadlines d WHERE d.report_id = v.id AND d.ended_at IS NULL "
        "  AND d.kind <> ALL($6::text[])) c), "
        "steps AS MATERIALIZED (SELECT v.id, v.institution, v.n, LEAST(kept.due, opened.due) AS due, "
        "  COALESCE(kept.missed, false) AS missed FROM unnest($1::bigint[], $2::text[], $3::int[]) AS v(id, institution, n) "
        "  LEFT JOIN kept ON kept.id = v.id LEFT JOIN opened ON opened.id = v.id) "
        "UPDATE reports r SET status = COALESCE($4, r.status), updated_at = to_timestamp($5::bigint / 1000.0), "
        "institution_code = COALESCE(v.institution, r.institution_code), "
        "assignee = CASE WHEN v.institution IS NULL THEN r.assignee END, next_due_at = v.due, clock_missed = v.missed "
        "FROM steps v WHERE r.id = v.id AND r.id = ANY($1::bigint[]) "
        "RETURNING v.n, r.id, r.tracking_id, r.status, "
        "(SELECT s.public_status FROM report_statuses s WHERE s.status = r.status), r.institution_code, "
        "r.classification, r.category_code, r.field_supervision, r.anonymous, r.confidential, "
        "(SELECT o.tracking_id FROM reports o WHERE o.id = r.duplicate_of)", 7, params, error);
    return run->updated ? 0 : -1;
}

static int log_actions(run_t *run, const step_arrays_t *a, db_error_t *error)
{
    const char *internal = lifecycle_internal(run->rule) ? "true" : "false";
    const char *params[] = {a->ids, a->statuses, a->notes, a->requests, a->institutions, a->ns, run->now,
                            run->rule->action, internal};
    return db_exec_ok(run->db,
        "INSERT INTO report_actions (report_id, at, action, actor_role, status_after, note, request_id, "
        "institution_code, internal) "
        "SELECT v.id, to_timestamp($7::bigint / 1000.0), $8, 'system', v.status, v.note, v.request_id, "
        "v.institution, $9::boolean "
        "FROM unnest($1::bigint[], $2::text[], $3::text[], $4::text[], $5::text[], $6::int[]) "
        "AS v(id, status, note, request_id, institution, n) ORDER BY v.n", 9, params, error);
}

/* Clocks met, cancelled or restarted end; the others follow the report to its holder (as
 * lifecycle_store's run_clocks, one statement for the run); then the rule's clocks start. The
 * clocks are found by their report_id index: driven from the reports, a planner that thought few
 * clocks were open joined each report to every open clock (100 x 1 000 rows, 110 ms a run). The
 * ids through ARRAY(...), a count the planner does not know (it assumes ten, as for 0040's trigger):
 * told a hundred, from the statistics update_reports' comment tells of, it priced one scan of every
 * clock below a hundred probes (1.5 ms a run at 18 000 clocks, growing). */
static int run_clocks(run_t *run, const step_arrays_t *a, const clock_kinds_t *k, db_error_t *error)
{
    const char *params[] = {a->ids, k->ended, k->met, run->now};
    /* update_reports wrote next_due_at as the clocks stand after run_clocks: 0031's trigger leaves
     * run_clocks' reports alone meanwhile (0040), instead of writing each of them again after each
     * of its two statements. Undone with the savepoint on a failure. */
    if (lifecycle_store_next_due_written(run->db, true, error) != 0)
        return -1;
    PGresult *clocks = db_exec_planned(run->db,
        "UPDATE report_deadlines d SET "
        "ended_at = CASE WHEN d.kind = ANY($2::text[]) THEN to_timestamp($4::bigint / 1000.0) END, "
        "outcome = CASE WHEN d.kind = ANY($3::text[]) THEN 'met' "
        "               WHEN d.kind = ANY($2::text[]) THEN 'cancelled' ELSE d.outcome END, "
        "institution_code = CASE WHEN d.kind = ANY($2::text[]) THEN d.institution_code ELSE r.institution_code END "
        "FROM reports r WHERE d.report_id = ANY(ARRAY(SELECT unnest($1::bigint[]))) AND d.ended_at IS NULL "
        "AND r.id = d.report_id",
        4, params, error);
    if (!clocks)
        return -1;
    PQclear(clocks);
    int rc = 0;
    if (run->rule->open[0])
        rc = lifecycle_store_open_kinds(run->db, a->ids, run->rule->open, run->now_ms, error);
    return rc == 0 ? lifecycle_store_next_due_written(run->db, false, error) : rc;
}

static const char *nullable(const PGresult *r, int row, int column)
{
    return PQgetisnull(r, row, column) ? NULL : PQgetvalue(r, row, column);
}

/* The event of an updated row (update_sql's columns), as lifecycle_store's describe builds it. */
static int row_event(const run_t *run, int row, event_t *event)
{
    const PGresult *r = run->updated;
    size_t i = strtoull(PQgetvalue(r, row, 0), NULL, 10) - 1;
    const lifecycle_run_step_t *step = &run->steps[i];
    const char *holder = nullable(run->locked, run->row[i], 3);
    report_transition_t t = {
        .type = run->rule->event_type, .action = run->rule->action, .status = PQgetvalue(r, row, 3),
        .previous_status = PQgetvalue(run->locked, run->row[i], 2), .public_status = PQgetvalue(r, row, 4),
        .institution = nullable(r, row, 5), .classification = PQgetvalue(r, row, 6),
        .category = PQgetvalue(r, row, 7), .field_supervision = PQgetvalue(r, row, 8)[0] == 't',
        .anonymous = PQgetvalue(r, row, 9)[0] == 't', .confidential = PQgetvalue(r, row, 10)[0] == 't',
        .duplicate_of = nullable(r, row, 11), .note = step->note,
    };
    if (holder && t.institution && strcmp(holder, t.institution) != 0)
        t.previous_institution = holder;
    report_event_origin_t origin = {strtoll(PQgetvalue(r, row, 1), NULL, 10), PQgetvalue(r, row, 2), "system",
                                    NULL, run->now_ms};
    return report_events_transition(&t, &origin, event);
}

/* The run's events in one statement, in the order of its steps. */
static int append_events(run_t *run, db_error_t *error)
{
    int rows = PQntuples(run->updated);
    event_t *events = calloc((size_t) rows + 1, sizeof *events);
    int *order = calloc(run->count, sizeof *order);
    int rc = events && order ? 0 : out_of_memory(error);
    for (int row = 0; rc == 0 && row < rows; row++)
        order[strtoull(PQgetvalue(run->updated, row, 0), NULL, 10) - 1] = row + 1;
    int made = 0;
    for (size_t i = 0; rc == 0 && i < run->count; i++)
        if (order[i] && (rc = row_event(run, order[i] - 1, &events[made])) == 0)
            made++;
    if (rc != 0 && !error->message[0])
        snprintf(error->message, sizeof error->message, "an event of the run could not be built");
    if (rc == 0)
        rc = event_log_append_many(run->db, events, (size_t) made, error);
    for (int e = 0; e < made; e++)
        event_clear(&events[e]);
    free(events);
    free(order);
    return rc;
}

static int write_steps(run_t *run, db_error_t *error)
{
    step_arrays_t a;
    clock_kinds_t k;
    if (clock_kinds(run->rule, &k, error) != 0)
        return -1;
    if (step_arrays(run, &a, error) != 0) {
        clock_kinds_free(&k);
        return -1;
    }
    int rc = update_reports(run, &a, &k, error) != 0 || log_actions(run, &a, error) != 0
             || run_clocks(run, &a, &k, error) != 0 || append_events(run, error) != 0 ? -1 : 0;
    step_arrays_free(&a);
    clock_kinds_free(&k);
    return rc;
}

/* The statements of the run inside a savepoint; their answers awaited at the end. 0, or -1. */
static int apply_in_savepoint(run_t *run, db_error_t *error)
{
    if (db_defer(run->db, error) != 0 || db_exec_ok(run->db, "SAVEPOINT lifecycle_run", 0, NULL, error) != 0)
        return -1;
    int rc = lock_reports(run, error);
    if (rc == 0 && choose_steps(run) > 0)
        rc = write_steps(run, error);
    if (rc == 0)
        rc = db_exec_ok(run->db, "RELEASE SAVEPOINT lifecycle_run", 0, NULL, error);
    db_error_t deferred = {"", ""};
    if (db_undefer(run->db, &deferred) != 0 && rc == 0) {
        *error = deferred;
        rc = -1;
    }
    return rc;
}

/* After a failure a new attempt will not cure: nothing of the run stays, every step is left. */
static int fall_back(run_t *run, const db_error_t *failure, db_error_t *error)
{
    logger_warn("%s of %zu reports set-wise failed, one at a time instead: %s %s", run->rule->action, run->count,
                failure->sqlstate, failure->message);
    for (size_t i = 0; i < run->count; i++)
        run->row[i] = -1;
    return db_exec_ok(run->db, "ROLLBACK TO SAVEPOINT lifecycle_run", 0, NULL, error);
}

int lifecycle_run_apply(db_t *db, const char *action, lifecycle_run_step_t *steps, size_t count, int64_t now_ms,
                        db_error_t *error)
{
    const lifecycle_rule_t *rule = lifecycle_rule(action);
    for (size_t i = 0; i < count; i++)
        steps[i].applied = false;
    if (!rule || rule->roles != ROLE_SYSTEM || rule->scope != SCOPE_NONE) {
        snprintf(error->message, sizeof error->message, "'%s' is not a system step", action);
        return -1;
    }
    if (count == 0)
        return 0;
    run_t run = {.db = db, .rule = rule, .steps = steps, .count = count, .now_ms = now_ms,
                 .row = calloc(count, sizeof (int))};
    snprintf(run.now, sizeof run.now, "%lld", (long long) now_ms);
    if (!run.row)
        return out_of_memory(error);
    int rc = apply_in_savepoint(&run, error);
    if (rc != 0 && !db_error_is_retryable(error) && db_is_connected(db))
        rc = fall_back(&run, error, error);
    for (size_t i = 0; rc == 0 && i < count; i++)
        steps[i].applied = run.row[i] >= 0;
    PQclear(run.locked);
    PQclear(run.updated);
    free(run.row);
    return rc;
}
