/* report_search_add: the staff search (staff_views_render, `q`) finds a report by its words once
 * verify has copied its text, whatever lifecycle steps write the report; the copy follows a
 * changed text; and no index of reports reads the text, so that neither intake's insert nor a
 * step's write of a report indexes it. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report_search.h"
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

/* The tracking ids a national admin's list of every report gives for the words, in tracking id
 * order, joined by spaces ("-" for none). */
static char *found(const char *words)
{
    char text[64];   /* staff_query_t owns its strings: a copy, not the caller's const */
    snprintf(text, sizeof text, "%s", words);
    staff_query_t q = {.view = "reports", .actor_role = "national_admin", .actor_id = "1",
                       .actor_institution = "NASIONAL", .text = text, .limit = 50};
    char *page = NULL;
    error_reply_t refusal;
    db_error_t error = {"", ""};
    if (staff_views_render(db, &q, &page, &refusal, &error) != 0)
        fail_msg("%s: %s %s", words, refusal.code, error.message);
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

static void copy_texts(void)
{
    db_error_t error = {"", ""};
    char *ids = value_of("SELECT array_agg(id)::text FROM reports", 0, NULL);
    if (report_search_add(db, ids, &error) != 0)
        fail_msg("%s", error.message);
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

/* Words find a report once its text is copied; a tracking id finds it at once. Copying again (a
 * replayed run) changes nothing. */
static void test_the_search_finds_a_report_once_its_text_is_copied(void **state)
{
    (void) state;
    assert_found("depan pasar", "-");
    assert_found("0000-0000-0001", "0000-0000-0001");
    copy_texts();
    assert_found("depan pasar", "0000-0000-0001 0000-0000-0002 0000-0000-0003");
    assert_found("nomor 42", "0000-0000-0002");
    assert_found("rusak 3", "0000-0000-0003");   /* a confidential report too: staff in scope search it */
    assert_found("jembatan", "-");
    copy_texts();
    char *rows = value_of("SELECT count(*) FROM report_search", 0, NULL);
    assert_string_equal(rows, "3");
    free(rows);
}

/* A step's write of a report leaves its copy as it was; a change of the text is followed. */
static void test_the_search_follows_a_changed_text(void **state)
{
    (void) state;
    copy_texts();
    exec_ok("UPDATE reports SET status = 'verified', updated_at = now() WHERE tracking_id = '0000-0000-0001'");
    assert_found("nomor 41", "0000-0000-0001");
    exec_ok("UPDATE reports SET body = 'Jembatan putus' WHERE tracking_id = '0000-0000-0001'");
    assert_found("nomor 41", "-");
    assert_found("jembatan", "0000-0000-0001");
    exec_ok("UPDATE reports SET title = 'Banjir' WHERE tracking_id = '0000-0000-0002'");
    assert_found("banjir nomor 42", "-");
    assert_found("banjir lubang", "0000-0000-0002");
}

/* Every write of a report is a new entry in each of its indexes (none of a step's writes is HOT),
 * and intake's insert is in every submission's wait: an index of the title or body there is the
 * text's trigrams extracted and merged into the index at each. (The public list's public_words, a
 * stored column made of them, is indexed only once a report is listed: migration 0048.) */
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
        cmocka_unit_test(test_the_search_finds_a_report_once_its_text_is_copied),
        cmocka_unit_test(test_the_search_follows_a_changed_text),
        cmocka_unit_test(test_no_index_of_reports_reads_the_text),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
