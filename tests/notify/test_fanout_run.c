/* fanout_run: what the fan-out of a run of events reads at its start, on a migrated database. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fanout_run.h"
#include "report_events.h"
#include "test_db.h"

#define RUN 10
#define SURGE "20000"

static char *url;
static db_t *db;

/* `count` reports "<prefix>0000-0001".. titled "Laporan <n>", verified. */
static const char insert_reports[] =
    "INSERT INTO reports (tracking_id, classification, title, body, category_code, region_code, anonymous, "
    "  confidential, channel, status, reporter_token_hash) "
    "SELECT $1 || regexp_replace(lpad(i::text, 8, '0'), '^(.{4})(.{4})$', '\\1-\\2'), 'complaint', "
    "  'Laporan ' || i, 'Jalan rusak di depan pasar.', "
    "  (SELECT min(code) FROM categories), (SELECT min(code) FROM regions), false, false, 'web', 'verified', "
    "  repeat('0', 64) FROM generate_series(1, $2::int) i";

static void make_reports(const char *prefix, const char *count)
{
    const char *params[] = {prefix, count};
    db_error_t error = {"", ""};
    if (db_exec_ok(db, insert_reports, 2, params, &error) != 0)
        fail_msg("%s", error.message);
}

static int setup(void **state)
{
    (void) state;
    if (!(db = test_db_open_migrated("fanout_run", &url)))
        return -1;
    make_reports("FANR-", "400");
    test_db_script(db, "ALTER TABLE reports SET (autovacuum_enabled = false); ANALYZE reports");
    return 0;
}

static int teardown(void **state)
{
    (void) state;
    test_db_close(&db, &url);
    return 0;
}

typedef struct {
    fanout_run_t *fanout;
    event_t events[RUN];
    char tracking_ids[RUN][16];
} run_t;

/* A fan-out and its run: report.verified of reports FANR-0000-0001..0009, and of one that does
 * not exist (the last). */
static run_t *run_new(void)
{
    run_t *run = calloc(1, sizeof *run);
    assert_non_null(run);
    assert_non_null(run->fanout = fanout_run_new());
    for (int i = 0; i < RUN; i++) {
        snprintf(run->tracking_ids[i], sizeof run->tracking_ids[i], "FANR-0000-%04d", i + 1 < RUN ? i + 1 : 9999);
        report_transition_t t = {.type = "report.verified", .action = "verify", .status = "verified",
                                 .previous_status = "waiting_verification", .public_status = "verified",
                                 .classification = "complaint", .category = "JALAN.BERLUBANG"};
        report_event_origin_t origin = {i + 1, run->tracking_ids[i], "system", NULL, 1795000000000};
        assert_int_equal(report_events_transition(&t, &origin, &run->events[i]), 0);
    }
    return run;
}

static void run_destroy(run_t **run_p)
{
    for (int i = 0; i < RUN; i++)
        event_clear(&(*run_p)->events[i]);
    fanout_run_destroy(&(*run_p)->fanout);
    free(*run_p);
    *run_p = NULL;
}

static int start(db_t *tx_db, void *ctx, db_error_t *error)
{
    run_t *run = ctx;
    return fanout_run_start(run->fanout, tx_db, run->events, RUN, error);
}

/* Each event's row holds its report, as it is now; an event whose report is unknown still has
 * its row, without a report. */
static void test_each_event_has_its_reports_row(void **state)
{
    (void) state;
    run_t *run = run_new();
    test_db_rows_scanned(db, "reports", start, run);
    const PGresult *rows = fanout_run_rows(run->fanout);
    for (int i = 0; i < RUN; i++) {
        int row = fanout_run_row(run->fanout, &run->events[i]);
        assert_int_equal(row, i);
        char title[24];
        snprintf(title, sizeof title, "Laporan %d", i + 1);
        if (i + 1 < RUN)
            assert_string_equal(PQgetvalue(rows, row, FANOUT_R_TITLE), title);
        else
            assert_true(PQgetisnull(rows, row, FANOUT_R_ID));
    }
    run_destroy(&run);
}

/* On a consumer's connection (its statements prepared): seven runs while reports holds 400,
 * analyzed (PostgreSQL then keeps a generic plan), then 20 000 more (a surge, no analyze yet):
 * the next run probes its own reports. Joined to the run's events, the plan read them all (a hash
 * join): 20 400 here without the fix, 5 700 a run in submit_bench. */
static void test_a_run_reads_only_its_reports_after_the_table_grew(void **state)
{
    (void) state;
    run_t *run = run_new();
    db_t *consumer = test_db_open(url);
    assert_non_null(consumer);
    db_prepare_statements(consumer);
    for (int i = 0; i < 7; i++)
        test_db_rows_scanned(consumer, "reports", start, run);
    make_reports("SRGE-", SURGE);
    long read = test_db_rows_scanned(consumer, "reports", start, run);
    db_destroy(&consumer);
    run_destroy(&run);
    assert_in_range(read, 0, 100);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_each_event_has_its_reports_row),
        cmocka_unit_test(test_a_run_reads_only_its_reports_after_the_table_grew),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
