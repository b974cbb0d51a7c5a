/* stats_facts: a run of report events counted into stat_reports, on a migrated database. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report_events.h"
#include "stats_facts.h"
#include "test_db.h"

#define LONG_RUN 100

static char *url;
static db_t *db;
static const int64_t at_ms = 1795000000000;  /* 2026-11-18 */

static int setup(void **state)
{
    (void) state;
    return (db = test_db_open_migrated("stats_facts", &url)) ? 0 : -1;
}

static int teardown(void **state)
{
    (void) state;
    test_db_close(&db, &url);
    return 0;
}

/* Fills *event with report `id`'s submission, numbered seq. */
static void submitted(event_t *event, int64_t id, const char *tracking_id, int64_t seq)
{
    report_submission_t submission = {.classification = "complaint", .category = "JALAN.BERLUBANG",
                                      .region = "21.71", .channel = "web"};
    assert_int_equal(report_events_submitted(&submission, id, tracking_id, "waiting_verification", event), 0);
    event->seq = seq;
    event->occurred_at_ms = at_ms + seq;
}

/* Fills *event with a step of report `id` (verified, or dispatched to institution), numbered seq. */
static void step(event_t *event, int64_t id, const char *tracking_id, int64_t seq, const char *institution)
{
    report_transition_t t = {
        .type = institution ? "report.dispatched" : "report.verified", .action = institution ? "dispatch" : "verify",
        .status = institution ? "dispatched" : "verified", .previous_status = "waiting_verification",
        .public_status = "verified", .classification = "complaint", .category = "JALAN.BERLUBANG",
        .institution = institution,
    };
    report_event_origin_t origin = {id, tracking_id, "system", NULL, at_ms + seq};
    assert_int_equal(report_events_transition(&t, &origin, event), 0);
    event->seq = seq;
}

static void count(const event_t *events, size_t n)
{
    db_error_t error = {"", ""};
    if (stats_facts_count(db, events, n, &error) != 0)
        fail_msg("%s", error.message);
}

static void clear_all(event_t *events, size_t n)
{
    for (size_t i = 0; i < n; i++)
        event_clear(&events[i]);
}

static char *counted_reports(void)
{
    char *rows = NULL;
    db_error_t error = {"", ""};
    if (db_query_value(db,
            "SELECT string_agg(concat_ws(' ', tracking_id, status, last_seq, verified_at IS NOT NULL, "
            "  dispatched_at IS NOT NULL, coalesce(institution_code, '-')), ', ' ORDER BY tracking_id) "
            "FROM stat_reports WHERE tracking_id LIKE 'AAAA-AAAA-A%'", 0, NULL, &rows, &error) != 0)
        fail_msg("%s", error.message);
    return rows;
}

/* A run holding reports counted before and reports it submits, some of each moving on within it:
 * each starts from its row, or from its submission, and takes its later steps; the same run again
 * (a replay) changes nothing. */
static void test_a_run_counts_known_and_new_reports(void **state)
{
    (void) state;
    event_t before[1] = {{0}}, run[5] = {{0}};
    submitted(&before[0], 1, "AAAA-AAAA-AA01", 1);
    count(before, 1);
    submitted(&run[0], 2, "AAAA-AAAA-AA02", 2);
    step(&run[1], 1, "AAAA-AAAA-AA01", 3, NULL);
    submitted(&run[2], 3, "AAAA-AAAA-AA03", 4);
    step(&run[3], 2, "AAAA-AAAA-AA02", 5, NULL);
    step(&run[4], 2, "AAAA-AAAA-AA02", 6, "KOTA-21.71");
    count(run, 5);
    static const char expected[] = "AAAA-AAAA-AA01 verified 3 t f -, AAAA-AAAA-AA02 dispatched 6 t t KOTA-21.71, "
                                   "AAAA-AAAA-AA03 waiting_verification 4 f f -";
    char *rows = counted_reports();
    assert_string_equal(rows, expected);
    free(rows);
    count(run, 5);
    rows = counted_reports();
    assert_string_equal(rows, expected);
    free(rows);
    clear_all(before, 1);
    clear_all(run, 5);
}

/* A run of LONG_RUN submissions, each verified: each report's first submission is found by its
 * report, not by comparing every submission with every report of the run (the planner, which
 * cannot count the facts of a kind, expected one submission: 9 900 rows set aside by the join's
 * filter here before the fix). */
static void test_a_long_run_compares_each_report_with_its_own_rows(void **state)
{
    (void) state;
    event_t *run = calloc(2 * LONG_RUN, sizeof *run);
    assert_non_null(run);
    char ids[LONG_RUN][16];
    for (int i = 0; i < LONG_RUN; i++) {
        snprintf(ids[i], sizeof ids[i], "BBBB-BBBB-%04d", i);
        submitted(&run[i], 100 + i, ids[i], 100 + i);
        step(&run[LONG_RUN + i], 100 + i, ids[i], 100 + LONG_RUN + i, NULL);
    }
    db_t *counting = db;
    long removed = 0;
    db = test_db_open(url);
    assert_non_null(db);
    test_db_count_join_filtered(db, &removed);
    count(run, 2 * LONG_RUN);
    db_destroy(&db);
    db = counting;
    clear_all(run, 2 * LONG_RUN);
    free(run);
    assert_int_equal(test_db_scalar(db, "SELECT count(*) FROM stat_reports WHERE tracking_id LIKE 'BBBB-%' "
                                        "AND status = 'verified'"), LONG_RUN);
    assert_in_range(removed, 0, LONG_RUN);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_a_run_counts_known_and_new_reports),
        cmocka_unit_test(test_a_long_run_compares_each_report_with_its_own_rows),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
