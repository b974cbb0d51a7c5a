/* prechecks_record: the pre-checks verify records, with duplicates scored in verify, are those the
 * statement that scored them with pg_trgm in PostgreSQL gives (kept here as the reference):
 * the same missing fields, abuse words and possible duplicates in the same order, for reports of
 * several regions and categories with near-duplicate texts, spread over more than the window,
 * more than 50 in a window, with a small cache so that most candidates are read again. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <sys/types.h>

#include "prechecks.h"
#include "process_memory.h"
#include "test_db.h"

#define REPORTS 400

static char *url;
static db_t *db;

#define TRACKING_ID(n) "regexp_replace(lpad(upper(to_hex(" n ")), 12, '0'), '^(.{4})(.{4})(.{4})$', '\\1-\\2-\\3')"
/* Few words, so that many texts are alike and scores of exactly the threshold (0.5) occur. */
#define WORD(k) "(ARRAY['jalan','rusak','Banjir','LAMPU','mati','pungli','école','Straße','İzin'])" \
    "[1 + abs(hashint4(i * 16 + " k ")) % 9]"

static const char load_reports[] =
    "INSERT INTO reports (tracking_id, classification, title, body, category_code, region_code, incident_date, "
    "  anonymous, confidential, reporter_email, channel, status, reporter_token_hash, submitted_at) "
    "SELECT " TRACKING_ID("i") ", 'complaint', " WORD("1") " || ' ' || " WORD("2") ", "
    "  " WORD("3") " || ' ' || " WORD("4") " || ', ' || " WORD("5") " || ' ' || " WORD("6") " || '! ' || " WORD("7") ", "
    "  c.codes[1 + i % 2], g.codes[1 + (i / 2) % 2], CASE WHEN i % 4 = 0 THEN current_date END, "
    "  i % 3 = 0, false, CASE WHEN i % 2 = 0 THEN 'r' || i || '@example.org' END, 'web', 'waiting_verification', "
    "  md5(i::text) || md5((-i)::text), now() - ($1::int - i) * interval '2 hours' "
    "FROM generate_series(1, $1::int) i, (SELECT array_agg(code ORDER BY code) AS codes FROM categories) c, "
    "  (SELECT array_agg(code ORDER BY code) AS codes FROM regions) g";

static const char settings[] =
    "INSERT INTO lifecycle_settings (key, value) VALUES ('duplicate_similarity', 0.5), "
    "  ('duplicate_window_days', 7), ('complete_body_min_chars', 30) "
    "ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value";

/* The statement verify used before (pg_trgm's similarity() in the database), as a comparison. */
static const char differing_sql[] =
    "WITH settings AS ("
    "    SELECT COALESCE(max(value) FILTER (WHERE key = 'complete_body_min_chars'), 0) AS body_min, "
    "           COALESCE(max(value) FILTER (WHERE key = 'duplicate_similarity'), 1) AS similar, "
    "           COALESCE(max(value) FILTER (WHERE key = 'duplicate_window_days'), 0) AS window_days "
    "    FROM lifecycle_settings) "
    "SELECT r.tracking_id, p.possible_duplicates::text, e.duplicates::text "
    "FROM reports r CROSS JOIN settings s JOIN report_prechecks p ON p.report_id = r.id CROSS JOIN LATERAL (SELECT "
    "  array_remove(ARRAY["
    "    CASE WHEN char_length(r.body) < s.body_min THEN 'body' END, "
    "    CASE WHEN r.incident_date IS NULL THEN 'incident_date' END, "
    "    CASE WHEN r.address IS NULL AND r.lat IS NULL THEN 'location' END, "
    "    CASE WHEN NOT r.anonymous AND r.reporter_email IS NULL AND r.reporter_phone IS NULL THEN 'contact' END"
    "  ], NULL) AS missing, "
    "  ARRAY(SELECT w.word FROM abuse_words w "
    "        WHERE w.word = ANY (regexp_split_to_array(lower(r.title || ' ' || r.body), '[^[:alnum:]]+')) "
    "        ORDER BY w.word) AS abuse, "
    "  ARRAY(SELECT n.tracking_id FROM ("
    "          SELECT c.id, c.tracking_id, similarity(c.title || ' ' || c.body, r.title || ' ' || r.body) AS alike "
    "          FROM (SELECT o.id, o.tracking_id, o.title, o.body FROM reports o "
    "                WHERE o.region_code = r.region_code AND o.category_code = r.category_code AND o.id <> r.id "
    "                  AND o.submitted_at <= r.submitted_at "
    "                  AND o.submitted_at >= r.submitted_at - make_interval(days => s.window_days::int) "
    "                ORDER BY o.submitted_at DESC LIMIT 50) c) n "
    "        WHERE n.alike >= s.similar ORDER BY n.alike DESC, n.id LIMIT 5) AS duplicates) e "
    "WHERE (p.missing, p.abuse_words, p.possible_duplicates) IS DISTINCT FROM (e.missing, e.abuse, e.duplicates)";

/* The reports whose pre-checks are recorded and whose text the staff search finds (report_search). */
#define TEXTS_COPIED "SELECT count(*) FROM report_prechecks p JOIN reports r ON r.id = p.report_id " \
    "JOIN report_search s ON s.report_id = r.id AND s.words = r.title || ' ' || r.body"

static void exec_ok(const char *sql, int nparams, const char *const *params)
{
    db_error_t error = {"", ""};
    if (db_exec_ok(db, sql, nparams, params, &error) != 0)
        fail_msg("%s: %s", sql, error.message);
}

static long count(const char *sql)
{
    db_error_t error = {"", ""};
    char *value = NULL;
    if (db_query_value(db, sql, 0, NULL, &value, &error) != 0 || !value)
        fail_msg("%s: %s", sql, error.message);
    long n = atol(value);
    free(value);
    return n;
}

static int setup(void **state)
{
    (void) state;
    if (!(db = test_db_open_migrated("prechecks", &url)))
        return -1;
    const char *params[] = {"400"};
    exec_ok(load_reports, 1, params);
    exec_ok(settings, 0, NULL);
    exec_ok("INSERT INTO abuse_words (word) VALUES ('pungli') ON CONFLICT DO NOTHING", 0, NULL);
    return 0;
}

static int teardown(void **state)
{
    (void) state;
    test_db_close(&db, &url);
    return 0;
}

typedef struct {
    prechecks_t *prechecks;
    const char *const *ids;
    size_t count;
    long recorded_before_handling;   /* rows of report_prechecks once the run has started */
} run_t;

/* A run as verify's consumer handles it: in one transaction, its start, then each report. */
static int run_tx(db_t *tx_db, void *ctx, db_error_t *error)
{
    run_t *run = ctx;
    if (prechecks_run_start(run->prechecks, tx_db, run->ids, run->count, 1700000000000, error) != 0)
        return -1;
    PGresult *r = db_exec(tx_db, "SELECT count(*) FROM report_prechecks", 0, NULL, error);
    if (!r)
        return -1;
    run->recorded_before_handling = atol(PQgetvalue(r, 0, 0));
    PQclear(r);
    for (size_t i = 0; i < run->count; i++)
        if (prechecks_record(run->prechecks, tx_db, run->ids[i], 1700000000000, error) != 0)
            return -1;
    return 0;
}

/* Every report in order, in runs of `run` (0: each read alone, without prechecks_run_start). */
static void record_all(prechecks_t *prechecks, int run)
{
    db_error_t error = {"", ""};
    PGresult *r = db_exec(db, "SELECT tracking_id FROM reports ORDER BY id", 0, NULL, &error);
    assert_non_null(r);
    const char *ids[REPORTS];
    int n = PQntuples(r);
    assert_true(n <= REPORTS);
    for (int row = 0; row < n; row++)
        ids[row] = PQgetvalue(r, row, 0);
    int step = run ? run : 1;
    for (int first = 0; first < n; first += step) {
        int count = n - first < step ? n - first : step;
        run_t tx = {prechecks, ids + first, (size_t) count, -1};
        if (run && db_transaction(db, run_tx, &tx, &error) != 0)
            fail_msg("run at %s: %s", ids[first], error.message);
        for (int i = first; !run && i < first + count; i++)
            if (prechecks_record(prechecks, db, ids[i], 1700000000000, &error) != 0)
                fail_msg("%s: %s", ids[i], error.message);
    }
    PQclear(r);
}

/* The run's start records every report of the run (one statement), before any is handled. */
static void test_a_run_is_recorded_at_its_start(void **state)
{
    (void) state;
    prechecks_t *prechecks = prechecks_new(16, 2000);
    assert_non_null(prechecks);
    db_error_t error = {"", ""};
    PGresult *r = db_exec(db, "SELECT r.tracking_id FROM reports r WHERE NOT EXISTS "
                              "(SELECT 1 FROM report_prechecks p WHERE p.report_id = r.id) ORDER BY r.id LIMIT 5",
                          0, NULL, &error);
    assert_non_null(r);
    assert_int_equal(PQntuples(r), 5);
    const char *ids[5];
    for (int row = 0; row < 5; row++)
        ids[row] = PQgetvalue(r, row, 0);
    long before = count("SELECT count(*) FROM report_prechecks");
    run_t tx = {prechecks, ids, 5, -1};
    assert_int_equal(db_transaction(db, run_tx, &tx, &error), 0);
    assert_int_equal(tx.recorded_before_handling, before + 5);
    assert_int_equal(count("SELECT count(*) FROM report_prechecks"), before + 5);
    assert_int_equal(count(TEXTS_COPIED), before + 5);   /* and their text, for the staff search */
    PQclear(r);
    prechecks_destroy(&prechecks);
}

static void test_the_prechecks_are_those_pg_trgm_gave(void **state)
{
    (void) state;
    prechecks_t *prechecks = prechecks_new(16, 2000);
    assert_non_null(prechecks);
    record_all(prechecks, 37);
    record_all(prechecks, 0);   /* a replay keeps the first result */
    prechecks_destroy(&prechecks);
    assert_null(prechecks);
    assert_int_equal(count("SELECT count(*) FROM report_prechecks"), REPORTS);
    assert_int_equal(count(TEXTS_COPIED), REPORTS);
    assert_int_equal(count("SELECT count(*) FROM report_search"), REPORTS);
    db_error_t error = {"", ""};
    PGresult *r = db_exec(db, differing_sql, 0, NULL, &error);
    assert_non_null(r);
    for (int row = 0; row < PQntuples(r) && row < 10; row++)
        print_error("%s: recorded %s, pg_trgm %s\n", PQgetvalue(r, row, 0), PQgetvalue(r, row, 1), PQgetvalue(r, row, 2));
    int differing = PQntuples(r);
    PQclear(r);
    assert_int_equal(differing, 0);
    /* the data exercise what could differ: duplicates found, fewer than 5 where the threshold cut */
    assert_true(count("SELECT count(*) FROM report_prechecks WHERE cardinality(possible_duplicates) = 5") > 20);
    assert_true(count("SELECT count(*) FROM report_prechecks WHERE cardinality(possible_duplicates) BETWEEN 1 AND 4") > 5);
    assert_true(count("SELECT count(*) FROM report_prechecks WHERE cardinality(abuse_words) > 0") > 5);
}

/* A report that does not exist records nothing and is no failure (as before). */
static void test_an_unknown_report_records_nothing(void **state)
{
    (void) state;
    prechecks_t *prechecks = prechecks_new(16, 2000);
    assert_non_null(prechecks);
    db_error_t error = {"", ""};
    long before = count("SELECT count(*) FROM report_prechecks");
    assert_int_equal(prechecks_record(prechecks, db, "ZZZZ-ZZZZ-ZZZZ", 1700000000000, &error), 0);
    assert_int_equal(count("SELECT count(*) FROM report_prechecks"), before);
    prechecks_destroy(&prechecks);
}

/* A run once recorded leaves nothing of its checks behind: kept at the largest run's size (about
 * 1.7 kB a report with its candidates), a backlog's runs of 1 000 left 1.7 MB in an idle verify;
 * here, without the fix, 697 168 bytes for the run of 400. The cache holds 16 reports' trigrams. */
static void test_a_recorded_run_leaves_no_checks_behind(void **state)
{
    (void) state;
    prechecks_t *prechecks = prechecks_new(16, 2000);
    assert_non_null(prechecks);
    record_all(prechecks, 16);   /* the cache full, as after any run */
    size_t before = process_memory_heap_in_use();
    record_all(prechecks, REPORTS);
    size_t after = process_memory_heap_in_use();
    printf("a recorded run of %d left %zd bytes\n", REPORTS, (ssize_t) (after - before));
    assert_true(after < before + 100 * 1000);
    prechecks_destroy(&prechecks);
}

/* A run of the ten reports in ctx, started as verify's consumer starts it. */
static int start_ten(db_t *tx_db, void *ctx, db_error_t *error)
{
    const char *const *ids = ctx;
    prechecks_t *prechecks = prechecks_new(16, 2000);
    int rc = prechecks ? prechecks_run_start(prechecks, tx_db, ids, 10, 1700000000000, error) : -1;
    prechecks_destroy(&prechecks);
    return rc;
}

/* A run's reports, on a consumer's connection (its statements prepared): seven runs while reports
 * holds the setup's 400, analyzed (PostgreSQL then keeps a generic plan), then 20 000 more (a
 * surge, no analyze yet): the next run probes its own reports. Joined to the run's ids, the plan
 * read them all (a hash join): 20 400 here without the fix, 4 600 a run in submit_bench. */
static void test_a_run_reads_only_its_reports_after_the_table_grew(void **state)
{
    (void) state;
    test_db_script(db, "ALTER TABLE reports SET (autovacuum_enabled = false); ANALYZE reports");
    db_error_t error = {"", ""};
    PGresult *r = db_exec(db, "SELECT tracking_id FROM reports ORDER BY id DESC LIMIT 10", 0, NULL, &error);
    assert_non_null(r);
    assert_int_equal(PQntuples(r), 10);
    const char *ids[10];
    for (int i = 0; i < 10; i++)
        ids[i] = PQgetvalue(r, i, 0);
    db_t *consumer = test_db_open(url);
    assert_non_null(consumer);
    db_prepare_statements(consumer);
    for (int i = 0; i < 7; i++)
        test_db_rows_scanned(consumer, "reports", start_ten, ids);
    const char *surge[] = {"20000"};
    exec_ok("INSERT INTO reports (tracking_id, classification, title, body, category_code, region_code, anonymous, "
            "  confidential, channel, status, reporter_token_hash, submitted_at) "
            "SELECT 'SRG0-' || lpad(upper(to_hex(i)), 4, '0') || '-0000', 'complaint', 'Jalan', 'Jalan rusak', "
            "  (SELECT min(code) FROM categories), (SELECT min(code) FROM regions), false, false, 'web', "
            "  'waiting_verification', md5(i::text) || md5((-i)::text), now() - interval '30 days' "
            "FROM generate_series(1, $1::int) i", 1, surge);
    long read = test_db_rows_scanned(consumer, "reports", start_ten, ids);
    db_destroy(&consumer);
    PQclear(r);
    assert_in_range(read, 0, 100);
}

/* What `question` ($1: the plan's JSON) counts in the plan of a run of ten reports. */
static long asked_of_plan(const char *question)
{
    db_error_t error = {"", ""};
    PGresult *r = db_exec(db, "SELECT '{' || string_agg(tracking_id, ',') || '}' FROM "
                              "(SELECT tracking_id FROM reports ORDER BY id LIMIT 10) t", 0, NULL, &error);
    assert_non_null(r);
    const char *run[] = {PQgetvalue(r, 0, 0)};
    size_t size = strlen(prechecks_candidates_sql) + 32;
    char *explain = malloc(size);
    assert_non_null(explain);
    snprintf(explain, size, "EXPLAIN (FORMAT JSON) %s", prechecks_candidates_sql);
    PGresult *plan = db_exec(db, explain, 1, run, &error);
    free(explain);
    assert_non_null(plan);
    const char *json[] = {PQgetvalue(plan, 0, 0)};
    char *value = NULL;
    if (db_query_value(db, question, 1, json, &value, &error) != 0 || !value)
        fail_msg("%s: %s", question, error.message);
    long n = atol(value);
    free(value);
    PQclear(plan);
    PQclear(r);
    return n;
}

/* A report's text is split into words once, not once for each abuse word: as a filter of the
 * abuse words' scan (`word = ANY (split)`, sequential over a small table), the split ran again
 * for every word read, 72 % of verify's backend CPU in submit_bench with the seed's 8 words. */
static void test_a_report_is_split_into_words_once(void **state)
{
    (void) state;
    exec_ok("ANALYZE abuse_words", 0, NULL);
    assert_true(asked_of_plan("SELECT count(*) FROM jsonb_path_query($1::jsonb, "
                              "'$.** ? (@.\"Relation Name\" == \"abuse_words\")')") > 0);
    assert_int_equal(asked_of_plan("SELECT count(*) FROM jsonb_path_query($1::jsonb, "
                                   "'$.** ? (@.\"Relation Name\" == \"abuse_words\")') AS n "
                                   "WHERE n->>'Filter' LIKE '%regexp_split%' OR n->>'Recheck Cond' LIKE '%regexp_split%'"),
                     0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_a_run_is_recorded_at_its_start),
        cmocka_unit_test(test_the_prechecks_are_those_pg_trgm_gave),
        cmocka_unit_test(test_an_unknown_report_records_nothing),
        cmocka_unit_test(test_a_recorded_run_leaves_no_checks_behind),
        cmocka_unit_test(test_a_report_is_split_into_words_once),
        cmocka_unit_test(test_a_run_reads_only_its_reports_after_the_table_grew),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
