/* The report's next deadline and missed flag (migration 0031), which the desk orders and filters
 * by: whoever changes a clock, in whatever statement, the report follows. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "test_db.h"

static char *url;
static db_t *db;

static void exec_ok(const char *sql)
{
    db_error_t error = {"", ""};
    if (db_exec_ok(db, sql, 0, NULL, &error) != 0)
        fail_msg("%s: %s", sql, error.message);
}

/* "next_due_at clock_missed" of report n, the due time as seconds from 2030-01-01 ("-" if none). */
static char *state_of(int n)
{
    char sql[320];
    snprintf(sql, sizeof sql,
             "SELECT COALESCE(extract(epoch FROM next_due_at - '2030-01-01Z')::bigint::text, '-') || ' ' || clock_missed "
             "FROM reports WHERE tracking_id = '0000-0000-000%d'", n);
    db_error_t error = {"", ""};
    char *value = NULL;
    if (db_query_value(db, sql, 0, NULL, &value, &error) != 0 || !value)
        fail_msg("%s: %s", sql, error.message);
    return value;
}

static void assert_state(int n, const char *expected)
{
    char *value = state_of(n);
    assert_string_equal(value, expected);
    free(value);
}

static int setup(void **state)
{
    (void) state;
    if (!(db = test_db_open_migrated("next_due", &url)))
        return -1;
    exec_ok("INSERT INTO reports (tracking_id, classification, title, body, category_code, region_code, anonymous, "
            "  confidential, channel, status, reporter_token_hash, submitted_at, updated_at) "
            "SELECT '0000-0000-000' || i, 'complaint', 'Jalan rusak', 'Jalan berlubang di depan pasar', "
            "  (SELECT min(code) FROM categories), (SELECT min(code) FROM regions), false, false, 'web', "
            "  'waiting_verification', md5('n' || i) || md5('m' || i), now(), now() FROM generate_series(1, 2) i");
    return 0;
}

static int teardown(void **state)
{
    (void) state;
    test_db_close(&db, &url);
    return 0;
}

#define CLOCK(n, kind, due) "((SELECT id FROM reports WHERE tracking_id = '0000-0000-000" #n "'), '" kind "', " \
    "'2029-12-01Z', '2030-01-01Z'::timestamptz + interval '" due " seconds')"
#define OF(n) "report_id = (SELECT id FROM reports WHERE tracking_id = '0000-0000-000" #n "')"

static void test_the_report_follows_its_open_clocks(void **state)
{
    (void) state;
    assert_state(1, "- false");
    /* Two reports' clocks in one statement, as lifecycle_store_open_new_clocks does. */
    exec_ok("INSERT INTO report_deadlines (report_id, kind, started_at, due_at) VALUES "
            CLOCK(1, "verification", "500") ", " CLOCK(1, "reporter_reply", "300") ", " CLOCK(2, "follow_up", "700"));
    assert_state(1, "300 false");
    assert_state(2, "700 false");
    /* A holiday moves due times; a warning sent changes nothing the desk reads. */
    exec_ok("UPDATE report_deadlines SET due_at = due_at + interval '100 seconds' WHERE kind = 'reporter_reply'");
    assert_state(1, "400 false");
    exec_ok("UPDATE report_deadlines SET warned_at = now() WHERE " OF(1));
    assert_state(1, "400 false");
    /* The sweep marks a clock missed; ending it leaves the other running clock. */
    exec_ok("UPDATE report_deadlines SET missed_at = now() WHERE kind = 'reporter_reply'");
    assert_state(1, "400 true");
    exec_ok("UPDATE report_deadlines SET ended_at = now(), outcome = 'met' WHERE kind = 'reporter_reply'");
    assert_state(1, "500 false");
    exec_ok("UPDATE report_deadlines SET ended_at = now(), outcome = 'cancelled' WHERE " OF(1));
    assert_state(1, "- false");
    assert_state(2, "700 false");
    exec_ok("DELETE FROM report_deadlines WHERE " OF(2));
    assert_state(2, "- false");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_the_report_follows_its_open_clocks),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
