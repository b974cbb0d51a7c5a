/* The public list's words of a report (migration 0050): computed when the list starts listing it
 * (verified, not confidential), followed when its text changes, dropped when it leaves the list,
 * and never computed for a report that waits for verification, which is what intake writes. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>

#include "test_db.h"

static char *url;
static db_t *db;

/* What report n's words are: none, its title's and body's, or something else. */
typedef enum { WORDS_NONE, WORDS_OF_ITS_TEXT, WORDS_STALE } words_t;

static void assert_words(int n, words_t expected)
{
    char sql[320];
    snprintf(sql, sizeof sql,
             "SELECT CASE WHEN public_words IS NULL THEN %d "
             "  WHEN public_words = to_tsvector('simple', title || ' ' || body) THEN %d ELSE %d END "
             "FROM reports WHERE tracking_id = '0000-0000-%04d'", WORDS_NONE, WORDS_OF_ITS_TEXT, WORDS_STALE, n);
    assert_int_equal(test_db_scalar(db, sql), expected);
}

/* Runs sql in a transaction of its own and checks how many times the words were computed in it. */
static void assert_computations(const char *sql, int64_t expected)
{
    test_db_script(db, "BEGIN; SET LOCAL track_functions = 'pl'");
    test_db_script(db, sql);
    int64_t calls = test_db_scalar(db, "SELECT COALESCE(sum(calls), 0) FROM pg_stat_xact_user_functions "
                                       "WHERE funcname = 'reports_public_words'");
    test_db_script(db, "COMMIT");
    if (calls != expected)
        fail_msg("%s: words computed %lld times, expected %lld", sql, (long long) calls, (long long) expected);
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
    assert_computations(NEW_REPORTS(1, 3, "waiting_verification", "false"), 0);
    assert_words(1, WORDS_NONE);
}

static void test_the_words_follow_the_report_in_and_out_of_the_list(void **state)
{
    (void) state;
    test_db_script(db, NEW_REPORTS(11, 13, "waiting_verification", "false"));
    test_db_script(db, "UPDATE reports SET status = 'verified' WHERE tracking_id = '0000-0000-0011'");
    assert_words(11, WORDS_OF_ITS_TEXT);
    /* Later steps change the status and the holder, not the text: nothing to compute again. */
    assert_computations("UPDATE reports SET status = 'dispatched', institution_code = 'NASIONAL', "
                        "updated_at = now() WHERE tracking_id = '0000-0000-0011'", 0);
    assert_words(11, WORDS_OF_ITS_TEXT);
    test_db_script(db, "UPDATE reports SET title = 'Lampu jalan mati' WHERE tracking_id = '0000-0000-0011'");
    assert_words(11, WORDS_OF_ITS_TEXT);
    test_db_script(db, "UPDATE reports SET confidential = true WHERE tracking_id = '0000-0000-0011'");
    assert_words(11, WORDS_NONE);
    test_db_script(db, "UPDATE reports SET status = 'verified' WHERE tracking_id = '0000-0000-0012'");
    test_db_script(db, "UPDATE reports SET status = 'archived' WHERE tracking_id = '0000-0000-0012'");
    assert_words(12, WORDS_NONE);
    /* Made confidential while it waited: verifying it lists nothing. */
    test_db_script(db, "UPDATE reports SET confidential = true WHERE tracking_id = '0000-0000-0013'");
    test_db_script(db, "UPDATE reports SET status = 'verified' WHERE tracking_id = '0000-0000-0013'");
    assert_words(13, WORDS_NONE);
}

/* A report written as already listed (an import, a benchmark's backlog) has its words at once. */
static void test_a_report_written_listed_has_its_words(void **state)
{
    (void) state;
    assert_computations(NEW_REPORTS(4, 5, "verified", "false"), 2);
    assert_words(4, WORDS_OF_ITS_TEXT);
    test_db_script(db, NEW_REPORTS(6, 6, "verified", "true"));
    assert_words(6, WORDS_NONE);
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
