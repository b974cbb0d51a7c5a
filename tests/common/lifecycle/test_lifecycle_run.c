#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lifecycle_run.h"
#include "lifecycle_store.h"
#include "test_db.h"

static char *url;
static db_t *db;
static const int64_t now_ms = 1795000000000;  /* 2026-11-18, a Wednesday */

#define AS_TEXT(n) #n
#define NUMBER_TEXT(n) AS_TEXT(n)

static int setup(void **state)
{
    (void) state;
    return (db = test_db_open_migrated("lifecycle_run", &url)) ? 0 : -1;
}

static int teardown(void **state)
{
    (void) state;
    test_db_close(&db, &url);
    return 0;
}

/* One report as a test row says (tracking id "<p><p><p><p>-<p><p><p><p>-<p><p><suffix>"). */
static void insert_report(char set, const char *suffix, const char *status, const char *classification,
                          const char *holder, const char *assignee, const char *flags)
{
    char tracking[16];
    snprintf(tracking, sizeof tracking, "%c%c%c%c-%c%c%c%c-%c%c%s", set, set, set, set, set, set, set, set, set, set,
             suffix);
    const char *params[] = {tracking, status, classification, holder, assignee, flags};
    db_error_t error = {"", ""};
    PGresult *r = db_exec(db,
        "INSERT INTO reports (tracking_id, classification, title, body, category_code, region_code, anonymous, "
        "confidential, field_supervision, channel, status, institution_code, assignee, reporter_token_hash, updated_at) "
        "VALUES ($1, $3, 'Jalan rusak parah', 'Jalan rusak di depan pasar sejak lama.', 'JALAN.BERLUBANG', '21.71', "
        "$6 LIKE '%a%', $6 LIKE '%c%', $6 LIKE '%f%', 'web', $2, $4, $5, repeat('0', 64), to_timestamp(1794000000)) RETURNING id",
        6, params, &error);
    if (!r)
        fail_msg("%s", error.message);
    PQclear(r);
}

/* The same eight reports in set `set`: three routable, one in the wrong status, one whose
 * institution is unknown, one missing, one named twice, one whose request id was used. Report 03
 * holds two clocks, one of them missed, which route keeps running beside the two it opens. */
static void make_reports(char set)
{
    insert_report(set, "01", "verified", "complaint", NULL, NULL, "");
    insert_report(set, "02", "verified", "aspiration", "KOTA-21.71", "budi", "c");
    insert_report(set, "03", "verified", "complaint", "KOTA-21.71", NULL, "af");
    insert_report(set, "04", "dispatched", "complaint", "KOTA-21.72", NULL, "");
    insert_report(set, "05", "verified", "complaint", NULL, NULL, "");
    insert_report(set, "08", "verified", "information_request", NULL, NULL, "");
    char sql[1200];
    snprintf(sql, sizeof sql,
        "INSERT INTO report_deadlines (report_id, kind, institution_code, started_at, due_at) "
        "SELECT id, k, 'KOTA-21.71', to_timestamp(1794000000), to_timestamp(1796000000) FROM reports, "
        "unnest(ARRAY['follow_up', 'reporter_reply']) k WHERE tracking_id IN ('%1$c%1$c%1$c%1$c-%1$c%1$c%1$c%1$c-%1$c%1$c03', "
        "'%1$c%1$c%1$c%1$c-%1$c%1$c%1$c%1$c-%1$c%1$c04'); "
        "UPDATE report_deadlines d SET missed_at = to_timestamp(1794500000) FROM reports r WHERE r.id = d.report_id "
        "AND d.kind = 'reporter_reply' AND r.tracking_id = '%1$c%1$c%1$c%1$c-%1$c%1$c%1$c%1$c-%1$c%1$c03'; "
        "INSERT INTO report_actions (report_id, at, action, actor_role, status_after, request_id) "
        "SELECT id, to_timestamp(1794000000), 'verify', 'system', 'verified', '%1$c-8' FROM reports "
        "WHERE tracking_id = '%1$c%1$c%1$c%1$c-%1$c%1$c%1$c%1$c-%1$c%1$c08'", set);
    test_db_script(db, sql);
}

typedef struct {
    char set;
    bool set_wise;
    lifecycle_run_step_t steps[8];
    char texts[8][2][32];
    const char *counter;  /* a pg_stat_xact_user_tables column read before and after the run */
    long writes;     /* how far it moved: rows of reports written, or of clocks read by a sequential scan */
} run_t;

static void make_steps(run_t *run)
{
    static const char *const plan[8][2] = {
        {"01", "KOTA-21.71.PUPR"}, {"02", "KOTA-21.71.DINSOS"}, {"03", "PROV-21"}, {"04", "KOTA-21.72"},
        {"05", "NOPE"}, {"06", "KOTA-21.71"}, {"01", "KOTA-21.71"}, {"08", "KOTA-21.71"},
    };
    for (int i = 0; i < 8; i++) {
        char set = run->set;
        snprintf(run->texts[i][0], sizeof run->texts[i][0], "%c%c%c%c-%c%c%c%c-%c%c%s", set, set, set, set, set,
                 set, set, set, set, set, plan[i][0]);
        snprintf(run->texts[i][1], sizeof run->texts[i][1], "%c-%d", set, i + 1);
        run->steps[i] = (lifecycle_run_step_t) {run->texts[i][0], plan[i][1], "routed by rule", run->texts[i][1],
                                                false};
    }
}

/* A step not applied set-wise, as route applies it: one at a time; a refusal moves on. */
static int one_step(db_t *d, const lifecycle_run_step_t *s, db_error_t *error)
{
    report_step_t step = {.tracking_id = (char *) s->tracking_id, .action = "route", .actor_role = "system",
                          .institution = (char *) s->institution, .note = (char *) s->note};
    lifecycle_context_t context = {s->request_id, now_ms};
    report_outcome_t outcome = {0};
    error_reply_t refusal;
    int rc = lifecycle_store_apply(d, &step, &context, &outcome, &refusal, error);
    report_outcome_clear(&outcome);
    return rc < 0 ? -1 : 0;
}

static int run_tx(db_t *d, void *ctx, db_error_t *error)
{
    run_t *run = ctx;
    if (run->set_wise && lifecycle_run_apply(d, "route", run->steps, 8, now_ms, error) != 0)
        return -1;
    for (int i = 0; i < 8; i++)
        if (!run->steps[i].applied && one_step(d, &run->steps[i], error) != 0)
            return -1;
    return 0;
}

static void run(run_t *r)
{
    make_steps(r);
    db_error_t error = {"", ""};
    if (db_transaction(db, run_tx, r, &error) != 0)
        fail_msg("%s", error.message);
}

/* Everything a run writes of set `set`, tracking ids and request ids without the set's letter,
 * serial ids left out. */
static char *dump(char set)
{
    char pattern[8], *value = NULL;
    snprintf(pattern, sizeof pattern, "%c%c%c%c%%", set, set, set, set);
    const char *params[] = {pattern};
    db_error_t error = {"", ""};
    static const char sql[] =
        "SELECT concat_ws(E'\\n', "
        "(SELECT string_agg(concat_ws(' ', right(tracking_id, 2), status, institution_code, target_institution, "
        "   assignee, updated_at, classification, anonymous, confidential, next_due_at, clock_missed), E'\\n' "
        "   ORDER BY tracking_id) "
        "   FROM reports WHERE tracking_id LIKE $1), "
        "(SELECT string_agg(concat_ws(' ', right(r.tracking_id, 2), a.at, a.action, a.actor_role, a.actor_id, "
        "   a.status_after, a.note, substr(a.request_id, 3), a.reason_code, a.institution_code, a.attachment, "
        "   a.internal, a.assignee), E'\\n' ORDER BY a.id) "
        "   FROM report_actions a JOIN reports r ON r.id = a.report_id WHERE r.tracking_id LIKE $1), "
        "(SELECT string_agg(concat_ws(' ', right(r.tracking_id, 2), d.kind, d.institution_code, d.started_at, "
        "   d.due_at, d.warn_at, d.ended_at, d.outcome, d.missed_at, d.warned_at), E'\\n' "
        "   ORDER BY r.tracking_id, d.kind, d.started_at, d.id) "
        "   FROM report_deadlines d JOIN reports r ON r.id = d.report_id WHERE r.tracking_id LIKE $1), "
        "(SELECT string_agg(concat_ws(' ', e.type, e.schema_version, e.occurred_at, right(e.tracking_id, 2), "
        "   e.institution_code, e.actor_role, e.actor_id, encode(e.payload, 'hex')), E'\\n' ORDER BY e.id) "
        "   FROM events e WHERE e.tracking_id LIKE $1))";
    if (db_query_value(db, sql, 1, params, &value, &error) != 0)
        fail_msg("%s", error.message);
    return value;
}

static void test_a_run_set_wise_writes_what_one_at_a_time_writes(void **state)
{
    (void) state;
    make_reports('A');
    make_reports('B');
    run_t alone = {.set = 'A'}, together = {.set = 'B', .set_wise = true};
    run(&alone);
    run(&together);
    bool expected[8] = {true, true, true, false, false, false, false, false};
    for (int i = 0; i < 8; i++)
        assert_int_equal(together.steps[i].applied, expected[i]);
    char *a = dump('A'), *b = dump('B');
    if (strcmp(a, b) != 0)
        fail_msg("one at a time:\n%s\nset-wise:\n%s", a, b);
    assert_non_null(strstr(b, "report.dispatched"));
    free(a);
    free(b);
}

typedef struct {
    run_t run;
    int failing;     /* the step whose statement fails */
    int set_wise_rc;
} failing_run_t;

/* What route's consumer does once the run fell back: the failing step fails its own run (the
 * consumer retries in halves down to it), the others are applied one at a time. */
static int failing_tx(db_t *d, void *ctx, db_error_t *error)
{
    failing_run_t *f = ctx;
    if ((f->set_wise_rc = lifecycle_run_apply(d, "route", f->run.steps, 8, now_ms, error)) != 0)
        return -1;
    for (int i = 0; i < 8; i++)
        if (i != f->failing && !f->run.steps[i].applied && one_step(d, &f->run.steps[i], error) != 0)
            return -1;
    return 0;
}

/* A step whose statement fails (a trigger refuses its note) rolls the set-wise statements back to
 * their savepoint and leaves every step to one at a time, in a transaction that still works. */
static void test_a_failing_step_does_not_fail_the_others(void **state)
{
    (void) state;
    make_reports('C');
    test_db_script(db,
        "CREATE FUNCTION refuse_boom() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
        "IF NEW.note = 'boom' THEN RAISE EXCEPTION 'planted failure'; END IF; RETURN NEW; END $$; "
        "CREATE TRIGGER refuse_boom BEFORE INSERT ON report_actions FOR EACH ROW EXECUTE FUNCTION refuse_boom()");
    failing_run_t f = {.run = {.set = 'C'}, .failing = 1};
    make_steps(&f.run);
    f.run.steps[1].note = "boom";
    db_error_t error = {"", ""};
    int rc = db_transaction(db, failing_tx, &f, &error);
    test_db_script(db, "DROP TRIGGER refuse_boom ON report_actions; DROP FUNCTION refuse_boom()");
    if (rc != 0)
        fail_msg("%s", error.message);
    assert_int_equal(f.set_wise_rc, 0);
    for (int i = 0; i < 8; i++)
        assert_false(f.run.steps[i].applied);
    char *statuses = NULL;
    const char *params[] = {"CCCC%"};
    assert_int_equal(db_query_value(db, "SELECT string_agg(right(r.tracking_id, 2) || ' ' || r.status || ' ' || "
                                        "(SELECT count(*) FROM events e WHERE e.report_id = r.id), ', ' "
                                        "ORDER BY r.tracking_id) FROM reports r WHERE r.tracking_id LIKE $1",
                                    1, params, &statuses, &error), 0);
    assert_string_equal(statuses, "01 dispatched 1, 02 verified 0, 03 dispatched 1, 04 dispatched 0, "
                                  "05 verified 0, 08 verified 0");
    free(statuses);
}

/* Applies the steps set-wise; how far `counter` (a pg_stat_xact_user_tables column) moved meanwhile. */
static int apply_counted(db_t *d, const char *counter, lifecycle_run_step_t *steps, size_t count, long *moved,
                         db_error_t *error)
{
    char *before = NULL, *after = NULL;
    int rc = db_query_value(d, counter, 0, NULL, &before, error) != 0
             || lifecycle_run_apply(d, "route", steps, count, now_ms, error) != 0
             || db_query_value(d, counter, 0, NULL, &after, error) != 0 ? -1 : 0;
    if (rc == 0)
        *moved = strtol(after, NULL, 10) - strtol(before, NULL, 10);
    free(before);
    free(after);
    return rc;
}

static int count_during_run(db_t *d, void *ctx, db_error_t *error)
{
    run_t *run = ctx;
    return apply_counted(d, run->counter, run->steps, 8, &run->writes, error);
}

static const char REPORT_WRITES[] = "SELECT n_tup_upd FROM pg_stat_xact_user_tables WHERE relname = 'reports'";

/* A report row is expensive to write (every index of reports, the text's GIN ones included): the
 * run writes each of its reports once, next_due_at with the rest, and the clocks' trigger (0031)
 * leaves them (0040). Before, it wrote each report twice, and one whose clocks it restarts three
 * times (report 03: 5 writes for 3 reports). */
static void test_a_run_writes_each_report_once(void **state)
{
    (void) state;
    make_reports('D');
    run_t r = {.set = 'D', .set_wise = true, .counter = REPORT_WRITES};
    make_steps(&r);
    db_error_t error = {"", ""};
    if (db_transaction(db, count_during_run, &r, &error) != 0)
        fail_msg("%s", error.message);
    assert_int_equal(r.writes, 3);
}

/* As on a consumer's connection (`consumer`, its statements prepared from now on): seven runs of
 * sets `sets` while `table` is nearly empty and analyzed so (PostgreSQL may then keep a generic
 * plan), then `grow` adds 20 000 rows to it (a surge; no analyze yet). How many rows of `table` the
 * next run, of set `last`, read by sequential scans. */
static long sequential_reads_after_growth(db_t *consumer, const char *table, const char *sets, char last,
                                          const char *grow)
{
    char sql[160], counter[120];
    snprintf(sql, sizeof sql, "ALTER TABLE %s SET (autovacuum_enabled = false); ANALYZE %s", table, table);
    test_db_script(db, sql);
    snprintf(counter, sizeof counter, "SELECT seq_tup_read FROM pg_stat_xact_user_tables WHERE relname = '%s'", table);
    db_prepare_statements(consumer);
    db_error_t error = {"", ""};
    run_t r = {.set_wise = true, .counter = counter};
    for (const char *set = sets; *set; set++) {   /* letters of a tracking id */
        make_reports(*set);
        r.set = *set;
        make_steps(&r);
        if (db_transaction(consumer, count_during_run, &r, &error) != 0)
            fail_msg("%s", error.message);
    }
    test_db_script(db, grow);
    make_reports(last);
    r.set = last;
    make_steps(&r);
    if (db_transaction(consumer, count_during_run, &r, &error) != 0)
        fail_msg("%s", error.message);
    return r.writes;
}

/* 20 000 ended clocks of one report: a surge the clocks' table grew by, no analyze after it. */
static const char GROWN_CLOCKS[] =
    "INSERT INTO report_deadlines (report_id, kind, institution_code, started_at, due_at, ended_at, outcome) "
    "SELECT (SELECT min(id) FROM reports), 'follow_up', 'KOTA-21.71', to_timestamp(1794000000), "
    "to_timestamp(1796000000), to_timestamp(1794000000 + i), 'met' FROM generate_series(1, 20000) i";

/* The clocks: the run must read its own reports' clocks only, not every clock. A sequential scan
 * cost 40 ms a run at 5 000 reports in the drain benchmark and grew with the table. Without the
 * fix it read 20 112 clocks here. */
static void test_a_run_reads_only_its_own_clocks_after_the_table_grew(void **state)
{
    (void) state;
    long read = sequential_reads_after_growth(db, "report_deadlines", "MNPQRST", 'V', GROWN_CLOCKS);
    assert_in_range(read, 0, 100);
}

/* The request ids already used: the run must probe them, not read the whole history. On a new
 * connection, as a consumer starting on a young database (the test before left the shared one's
 * plans made). On the generic plan made while the history was nearly empty, the lock read all
 * 20 076 actions (hashed), or 140 532 (a scan for each step) once its EXISTS could not be hashed. */
static void test_a_run_reads_only_its_own_request_ids_after_the_history_grew(void **state)
{
    (void) state;
    db_t *consumer = test_db_open(url);
    assert_non_null(consumer);
    long read = sequential_reads_after_growth(consumer, "report_actions", "EFGHJKW", 'X',
        "INSERT INTO report_actions (report_id, at, action, actor_role, status_after, request_id) "
        "SELECT (SELECT min(id) FROM reports), to_timestamp(1794000000 + i), 'note', 'system', 'verified', "
        "'grown-' || i FROM generate_series(1, 20000) i");
    db_destroy(&consumer);
    assert_in_range(read, 0, 100);
}

#define LONG_RUN 100

/* A run as long as route's: LONG_RUN verified reports "<prefix>0001".., each routed to KOTA-21.71. */
typedef struct {
    lifecycle_run_step_t steps[LONG_RUN];
    char texts[LONG_RUN][2][24];
    const char *counter;  /* as run_t's */
    long read;
} long_run_t;

static long_run_t *long_run_new(const char *prefix)
{
    const char *params[] = {prefix};
    db_error_t error = {"", ""};
    PGresult *r = db_exec(db,
        "INSERT INTO reports (tracking_id, classification, title, body, category_code, region_code, channel, "
        "status, reporter_token_hash, updated_at, anonymous, confidential, field_supervision) "
        "SELECT $1 || lpad(i::text, 4, '0'), 'complaint', 'Jalan rusak parah', "
        "'Jalan rusak di depan pasar sejak lama.', 'JALAN.BERLUBANG', '21.71', 'web', 'verified', repeat('0', 64), "
        "to_timestamp(1794000000), false, false, false FROM generate_series(1, " NUMBER_TEXT(LONG_RUN) ") i",
        1, params, &error);
    if (!r)
        fail_msg("%s", error.message);
    PQclear(r);
    long_run_t *run = calloc(1, sizeof *run);
    assert_non_null(run);
    for (int i = 0; i < LONG_RUN; i++) {
        snprintf(run->texts[i][0], sizeof run->texts[i][0], "%s%04d", prefix, i + 1);
        snprintf(run->texts[i][1], sizeof run->texts[i][1], "%s%d", prefix, i + 1);
        run->steps[i] = (lifecycle_run_step_t) {run->texts[i][0], "KOTA-21.71", "routed by rule", run->texts[i][1],
                                                false};
    }
    return run;
}

static int count_long_run(db_t *d, void *ctx, db_error_t *error)
{
    long_run_t *run = ctx;
    return apply_counted(d, run->counter, run->steps, LONG_RUN, &run->read, error);
}

/* Routes a long run of reports "<prefix>0001".. on `d`; how far run's counter moved. Every step applies. */
static long route_long_run(db_t *d, const char *prefix, const char *counter)
{
    long_run_t *run = long_run_new(prefix);
    run->counter = counter;
    db_error_t error = {"", ""};
    if (db_transaction(d, count_long_run, run, &error) != 0)
        fail_msg("%s", error.message);
    for (int i = 0; i < LONG_RUN; i++)
        assert_true(run->steps[i].applied);
    long read = run->read;
    free(run);
    return read;
}

/* Each step's request id is one probe of report_actions' unique index. As a plain EXISTS the planner
 * hashed the whole history at every run instead (it prices 100 index probes above a sequential scan
 * of 5 000 rows): 5.5 ms of a 5.9 ms lock in the drain benchmark, growing with the history; 25 079
 * rows read here (the whole table), over a history of 5 000 actions, analyzed. */
static void test_a_long_run_probes_its_request_ids(void **state)
{
    (void) state;
    test_db_script(db,
        "INSERT INTO report_actions (report_id, at, action, actor_role, status_after, request_id) "
        "SELECT (SELECT min(id) FROM reports), to_timestamp(1794000000 + i), 'note', 'system', 'verified', "
        "'history-' || i FROM generate_series(1, 5000) i; "
        "ANALYZE report_actions");
    long read = route_long_run(db, "YYYY-YYYY-",
                               "SELECT seq_tup_read FROM pg_stat_xact_user_tables WHERE relname = 'report_actions'");
    assert_in_range(read, 0, 100);
}

/* Route's update of its reports finds the clocks they keep running. Route's first runs on a young
 * database are long while the clocks' table is new and small (never analyzed): after five, the
 * consumer's connection keeps a generic plan (priced for ten ids, below a custom plan's hundred)
 * that reads the table whole. In the drain benchmark that was 15-27 ms a run of 100 at 60 000
 * clocks, two thirds of route's time; here, without the fix, 21 400 clocks read by the last run. */
static void test_long_runs_read_only_their_own_clocks_after_the_table_grew(void **state)
{
    (void) state;
    db_t *consumer = test_db_open(url);
    assert_non_null(consumer);
    db_prepare_statements(consumer);
    static const char counter[] =
        "SELECT seq_tup_read FROM pg_stat_xact_user_tables WHERE relname = 'report_deadlines'";
    test_db_script(db, "ALTER TABLE report_deadlines SET (autovacuum_enabled = false); TRUNCATE report_deadlines");
    char prefix[] = "ZZZZ-ZZZ0-";
    for (char set = '1'; set <= '7'; set++) {
        prefix[8] = set;
        route_long_run(consumer, prefix, counter);
    }
    test_db_script(db, GROWN_CLOCKS);
    long read = route_long_run(consumer, "ZZZZ-ZZZ8-", counter);
    db_destroy(&consumer);
    assert_in_range(read, 0, 100);
}

/* The clocks of a run's reports, among many other reports' open ones (a busy system's), while the
 * statistics say the table holds few rows on its pages (as after a vacuum of a table whose clocks
 * were mostly ended and rewritten: route's and verify's updates): the update finds the clocks its
 * reports keep, and the clocks' update those it ends, each by probing the report's clocks. Planned
 * for a hundred ids from those statistics, both read every clock instead: 1.3 and 1.5 ms a run at
 * 16 000-18 000 clocks in the drain benchmark, growing; here, without the fix, 36 000 clocks read. */
static void test_a_long_run_probes_the_clocks_of_its_own_reports(void **state)
{
    (void) state;
    db_t *shared = db;   /* a database of its own: the tests before left clocks that shape the statistics */
    char *shared_url = url;
    db = test_db_open_migrated("lifecycle_clocks", &url);
    assert_non_null(db);
    static const char open_clocks[] =
        "INSERT INTO report_deadlines (report_id, kind, institution_code, started_at, due_at) "
        "SELECT id, k, 'KOTA-21.71', to_timestamp(1794000000), to_timestamp(1796000000) FROM reports, "
        "unnest(ARRAY['follow_up', 'reporter_reply']) k WHERE tracking_id LIKE '9999-9999-%' AND tracking_id ";
    char sql[900];
    test_db_script(db,
        "INSERT INTO reports (tracking_id, classification, title, body, category_code, region_code, channel, "
        "status, reporter_token_hash, updated_at, anonymous, confidential, field_supervision, institution_code) "
        "SELECT '9999-9999-' || lpad(i::text, 4, '0'), 'complaint', 'Jalan rusak', 'Jalan rusak di depan pasar.', "
        "'JALAN.BERLUBANG', '21.71', 'web', 'dispatched', repeat('0', 64), to_timestamp(1794000000), false, false, "
        "false, 'KOTA-21.71' FROM generate_series(1, 9000) i; "
        "ALTER TABLE report_deadlines SET (autovacuum_enabled = false)");
    snprintf(sql, sizeof sql, "%sLIKE '9999-9999-%%'; DELETE FROM report_deadlines; %sLIKE '9999-9999-00%%'",
             open_clocks, open_clocks);
    test_db_script(db, sql);
    test_db_script(db, "ANALYZE reports");
    test_db_script(db, "VACUUM ANALYZE report_deadlines");
    snprintf(sql, sizeof sql, "%sNOT LIKE '9999-9999-00%%'", open_clocks);
    test_db_script(db, sql);
    long read = route_long_run(db, "8888-8888-",
                               "SELECT seq_tup_read FROM pg_stat_xact_user_tables WHERE relname = 'report_deadlines'");
    test_db_close(&db, &url);
    db = shared;
    url = shared_url;
    assert_in_range(read, 0, 100);
}

/* Route's update of its reports meets each step with its clocks by hash. Joined after the reports,
 * which the planner expected to give one row, the steps read the whole of the clocks kept and of
 * those opened once for each report: 100 x 100 rows compared, 4.5 of the 11 ms a run of 100 took
 * in the drain benchmark; here, without the fix, 14 850 rows set aside by join filters. */
static void test_a_long_run_compares_each_step_with_its_own_rows(void **state)
{
    (void) state;
    /* as many reports as make the planner expect one row from a hundred ids joined to a hundred steps */
    test_db_script(db,
        "INSERT INTO reports (tracking_id, classification, title, body, category_code, region_code, channel, "
        "status, reporter_token_hash, updated_at, anonymous, confidential, field_supervision) "
        "SELECT '6666-6666-' || lpad(i::text, 4, '0'), 'complaint', 'Jalan rusak', 'Jalan rusak di depan pasar.', "
        "'JALAN.BERLUBANG', '21.71', 'web', 'closed_by_admin', repeat('0', 64), to_timestamp(1794000000), false, "
        "false, false FROM generate_series(1, 9999) i; "
        "ANALYZE reports");
    db_t *consumer = test_db_open(url);
    assert_non_null(consumer);
    long removed = 0;
    test_db_count_join_filtered(consumer, &removed);
    long writes = route_long_run(consumer, "7777-7777-", REPORT_WRITES);
    db_destroy(&consumer);
    assert_int_equal(writes, LONG_RUN);
    assert_in_range(removed, 0, LONG_RUN);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_a_run_set_wise_writes_what_one_at_a_time_writes),
        cmocka_unit_test(test_a_failing_step_does_not_fail_the_others),
        cmocka_unit_test(test_a_run_writes_each_report_once),
        cmocka_unit_test(test_a_run_reads_only_its_own_clocks_after_the_table_grew),
        cmocka_unit_test(test_a_run_reads_only_its_own_request_ids_after_the_history_grew),
        cmocka_unit_test(test_a_long_run_probes_its_request_ids),
        cmocka_unit_test(test_long_runs_read_only_their_own_clocks_after_the_table_grew),
        cmocka_unit_test(test_a_long_run_probes_the_clocks_of_its_own_reports),
        cmocka_unit_test(test_a_long_run_compares_each_step_with_its_own_rows),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
