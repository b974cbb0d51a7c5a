/* The staff search's copy of each report's text (migration 0044): it follows every report written
 * and every change of a title or body, and no index of reports reads the text any more, so that a
 * lifecycle step's write of a report does not index its text again. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "staff_views.h"
#include "test_db.h"

static char *url;
static db_t *db;

static void exec_ok(const char *sql)
{
    db_error_t error = {"", ""};
    if (db_exec_ok(db, sql, 0, NULL, &error) != 0)
        fail_msg("%s: %s", sql, error.message);
}

static char *value_of(const char *sql, int nparams, const char *const *params)
{
    db_error_t error = {"", ""};
    char *value = NULL;
    if (db_query_value(db, sql, nparams, params, &value, &error) != 0 || !value)
        fail_msg("%s: %s", sql, error.message);
    return value;
}

/* The tracking ids the console's list gives for the words, in tracking id order, joined by spaces. */
static char *found(const char *words)
{
    const char *params[] = {"national_admin", "NASIONAL", NULL, NULL, "50", "0", "reports",
                            NULL, NULL, words, NULL, NULL, NULL, NULL, NULL, NULL, NULL};
    char *page = value_of(staff_views_list_sql("due"), 17, params);
    const char *json[] = {page};
    char *ids = value_of("SELECT COALESCE(string_agg(i->>'tracking_id', ' ' ORDER BY i->>'tracking_id'), '-') "
                         "FROM json_array_elements($1::json->'items') i", 1, json);
    free(page);
    return ids;
}

static void assert_found(const char *words, const char *expected)
{
    char *ids = found(words);
    assert_string_equal(ids, expected);
    free(ids);
}

static int setup(void **state)
{
    (void) state;
    if (!(db = test_db_open_migrated("report_search", &url)))
        return -1;
    /* Several reports in one statement, as intake's group commit writes them. */
    exec_ok("INSERT INTO reports (tracking_id, classification, title, body, category_code, region_code, anonymous, "
            "  confidential, channel, status, reporter_token_hash) "
            "SELECT '0000-0000-000' || i, 'complaint', 'Jalan rusak ' || i, 'Lubang di depan pasar nomor ' || (40 + i), "
            "  (SELECT min(code) FROM categories), (SELECT min(code) FROM regions), false, i = 3, 'web', "
            "  'waiting_verification', md5('n' || i) || md5('m' || i) FROM generate_series(1, 3) i");
    return 0;
}

static int teardown(void **state)
{
    (void) state;
    db_destroy(&db);
    test_db_drop(&url);
    return 0;
}

static void test_the_search_finds_new_reports_by_their_text(void **state)
{
    (void) state;
    assert_found("depan pasar", "0000-0000-0001 0000-0000-0002 0000-0000-0003");
    assert_found("nomor 42", "0000-0000-0002");
    assert_found("rusak 3", "0000-0000-0003");   /* a confidential report too: staff in scope search it */
    assert_found("0000-0000-0001", "0000-0000-0001");
    assert_found("jembatan", "-");
}

/* A step's write of a report leaves its text as it was; a change of the text is followed. */
static void test_the_search_follows_a_changed_text(void **state)
{
    (void) state;
    exec_ok("UPDATE reports SET status = 'verified', updated_at = now() WHERE tracking_id = '0000-0000-0001'");
    assert_found("nomor 41", "0000-0000-0001");
    exec_ok("UPDATE reports SET body = 'Jembatan putus' WHERE tracking_id = '0000-0000-0001'");
    assert_found("nomor 41", "-");
    assert_found("jembatan", "0000-0000-0001");
    exec_ok("UPDATE reports SET title = 'Banjir' WHERE tracking_id = '0000-0000-0002'");
    assert_found("banjir nomor 42", "-");
    assert_found("banjir lubang", "0000-0000-0002");
}

/* Every write of a report is a new entry in each of its indexes (none of a step's writes is HOT):
 * an index of the title or body there is the text's trigrams extracted and indexed again at every
 * step. (The public list's public_words, a stored column made of them, is intake's: still there.) */
static void test_no_index_of_reports_reads_the_text(void **state)
{
    (void) state;
    char *text_indexes = value_of("SELECT COALESCE(string_agg(i.indexrelid::regclass::text, ' '), '-') FROM pg_index i "
                                  "WHERE i.indrelid = 'reports'::regclass AND EXISTS (SELECT 1 FROM pg_attribute a "
                                  "  WHERE a.attrelid = 'reports'::regclass AND a.attname IN ('title', 'body') "
                                  "    AND (a.attnum = ANY (i.indkey) OR pg_get_indexdef(i.indexrelid) ~ ('\\m' || a.attname || '\\M')))",
                                  0, NULL);
    assert_string_equal(text_indexes, "-");
    free(text_indexes);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_the_search_finds_new_reports_by_their_text),
        cmocka_unit_test(test_the_search_follows_a_changed_text),
        cmocka_unit_test(test_no_index_of_reports_reads_the_text),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
