/* The public list's words of a report (migration 0050): computed when the list starts listing it
 * (verified, not confidential), followed when its text changes, dropped when it leaves the list,
 * and never computed for a report that waits for verification, which is what intake writes. */
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

static char *value_of(const char *sql)
{
    db_error_t error = {"", ""};
    char *value = NULL;
    if (db_query_value(db, sql, 0, NULL, &value, &error) != 0 || !value)
        fail_msg("%s: %s", sql, error.message);
    return value;
}

static void assert_value(const char *sql, const char *expected)
{
    char *value = value_of(sql);
    if (strcmp(value, expected) != 0)
        fail_msg("%s: %s, expected %s", sql, value, expected);
    free(value);
}

/* "none" when report n has no words, "text" when they are its title's and body's, "stale" else. */
static void assert_words(int n, const char *expected)
{
    char sql[320];
    snprintf(sql, sizeof sql,
             "SELECT CASE WHEN public_words IS NULL THEN 'none' "
             "  WHEN public_words = to_tsvector('simple', title || ' ' || body) THEN 'text' ELSE 'stale' END "
             "FROM reports WHERE tracking_id = '0000-0000-%04d'", n);
    assert_value(sql, expected);
}

/* A statement, in a transaction of its own, and how many times the words were computed in it. */
static char *computations_in(const char *sql)
{
    exec_ok("BEGIN");
    exec_ok("SET LOCAL track_functions = 'pl'");
    exec_ok(sql);
    char *calls = value_of("SELECT COALESCE(sum(calls), 0) FROM pg_stat_xact_user_functions "
                           "WHERE funcname = 'reports_public_words'");
    exec_ok("COMMIT");
    return calls;
}

static void assert_computations(const char *sql, const char *expected)
{
    char *calls = computations_in(sql);
    if (strcmp(calls, expected) != 0)
        fail_msg("%s: words computed %s times, expected %s", sql, calls, expected);
    free(calls);
}

#define NEW_REPORTS(first, last, status, confidential) \
    "INSERT INTO reports (tracking_id, classification, title, body, category_code, region_code, anonymous, " \
    "  confidential, channel, status, reporter_token_hash) " \
    "SELECT '0000-0000-' || lpad(i::text, 4, '0'), 'complaint', 'Jalan rusak', 'Jalan berlubang di depan pasar', " \
    "  (SELECT min(code) FROM categories), (SELECT min(code) FROM regions), false, " confidential ", 'web', " \
    "  '" status "', md5('n' || i) || md5('m' || i) FROM generate_series(" #first ", " #last ") i"

static int setup(void **state)
{
    (void) state;
    return (db = test_db_open_migrated("public_words", &url)) ? 0 : -1;
}

static int teardown(void **state)
{
    (void) state;
    test_db_close(&db, &url);
    return 0;
}

static void test_a_submission_computes_no_words(void **state)
{
    (void) state;
    assert_computations(NEW_REPORTS(1, 3, "waiting_verification", "false"), "0");
    assert_words(1, "none");
}

static void test_the_words_follow_the_report_in_and_out_of_the_list(void **state)
{
    (void) state;
    exec_ok(NEW_REPORTS(11, 13, "waiting_verification", "false"));
    exec_ok("UPDATE reports SET status = 'verified' WHERE tracking_id = '0000-0000-0011'");
    assert_words(11, "text");
    /* Later steps change the status and the holder, not the text: nothing to compute again. */
    assert_computations("UPDATE reports SET status = 'dispatched', institution_code = 'NASIONAL', "
                        "updated_at = now() WHERE tracking_id = '0000-0000-0011'", "0");
    assert_words(11, "text");
    exec_ok("UPDATE reports SET title = 'Lampu jalan mati' WHERE tracking_id = '0000-0000-0011'");
    assert_words(11, "text");
    exec_ok("UPDATE reports SET confidential = true WHERE tracking_id = '0000-0000-0011'");
    assert_words(11, "none");
    exec_ok("UPDATE reports SET status = 'verified' WHERE tracking_id = '0000-0000-0012'");
    exec_ok("UPDATE reports SET status = 'archived' WHERE tracking_id = '0000-0000-0012'");
    assert_words(12, "none");
    /* Made confidential while it waited: verifying it lists nothing. */
    exec_ok("UPDATE reports SET confidential = true WHERE tracking_id = '0000-0000-0013'");
    exec_ok("UPDATE reports SET status = 'verified' WHERE tracking_id = '0000-0000-0013'");
    assert_words(13, "none");
}

/* A report written as already listed (an import, a benchmark's backlog) has its words at once. */
static void test_a_report_written_listed_has_its_words(void **state)
{
    (void) state;
    assert_computations(NEW_REPORTS(4, 5, "verified", "false"), "2");
    assert_words(4, "text");
    exec_ok(NEW_REPORTS(6, 6, "verified", "true"));
    assert_words(6, "none");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_a_submission_computes_no_words),
        cmocka_unit_test(test_the_words_follow_the_report_in_and_out_of_the_list),
        cmocka_unit_test(test_a_report_written_listed_has_its_words),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
