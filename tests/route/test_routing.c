/* routing: where each report of a run goes (target, the most specific rule, the nearest
 * coordinator, the national desk), and that a run's choice reads the reference tables by index
 * when the country's tree is large: its cost follows the run, not the number of institutions,
 * regions or rules. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "db_array.h"
#include "routing.h"
#include "test_db.h"

static char *url;
static db_t *db;

static int setup(void **state)
{
    (void) state;
    return (db = test_db_open_migrated("routing", &url)) ? 0 : -1;
}

static int teardown(void **state)
{
    (void) state;
    test_db_close(&db, &url);
    return 0;
}

typedef struct {
    const char *tracking_id, *category, *region, *target;
    const char *institution, *basis;   /* expected */
} case_t;

static void insert_report(const case_t *c)
{
    const char *params[] = {c->tracking_id, c->category, c->region, c->target};
    db_error_t error = {"", ""};
    PGresult *r = db_exec(db,
        "INSERT INTO reports (tracking_id, classification, title, body, category_code, region_code, "
        "target_institution, anonymous, confidential, field_supervision, channel, status, reporter_token_hash) "
        "VALUES ($1, 'complaint', 'Jalan rusak parah', 'Jalan rusak di depan pasar sejak lama.', $2, $3, $4, "
        "false, false, false, 'web', 'verified', repeat('0', 64))", 4, params, &error);
    if (!r)
        fail_msg("%s", error.message);
    PQclear(r);
}

static void choose(const case_t *cases, size_t count, routing_run_t *run)
{
    db_array_t ids;
    memset(&ids, 0, sizeof ids);
    for (size_t i = 0; i < count; i++)
        db_array_add(&ids, cases[i].tracking_id);
    char *list = db_array_take(&ids);
    assert_non_null(list);
    db_error_t error = {"", ""};
    int rc = routing_run_choose(db, list, run, &error);
    free(list);
    if (rc != 0)
        fail_msg("%s", error.message);
}

/* Rules of the seed: each top category group in province 21 and in cities 21.71 and 21.72, to
 * that place's unit. Added here: an exact category in the province, a rule of any category in
 * 21.72, a province without a coordinator, and one rule's unit made inactive. */
static void test_each_report_goes_to_the_most_specific_holder(void **state)
{
    (void) state;
    test_db_script(db,
        "INSERT INTO routing_rules (category_code, region_code, institution_code) VALUES "
        "('JALAN.BERLUBANG', '21', 'PROV-21.PUPR'), (NULL, '21.72', 'KOTA-21.72.KOMINFO'); "
        "UPDATE institutions SET active = false WHERE code = 'KOTA-21.72.DISHUB'; "
        "INSERT INTO regions (code, parent_code, name, kind) VALUES ('31', NULL, 'DKI Jakarta', 'province')");
    static const case_t cases[] = {
        {"AAAA-AAAA-AA01", "JALAN.PJU", "21.71.04", NULL, "KOTA-21.71.PUPR", "rule"},      /* nearest region */
        {"AAAA-AAAA-AA02", "JALAN.BERLUBANG", "21.71.04", NULL, "PROV-21.PUPR", "rule"},  /* exact category */
        {"AAAA-AAAA-AA03", "KES.BPJS", "21.71.04", NULL, "KOTA-21.71", "coordinator"},
        {"AAAA-AAAA-AA04", "KES.BPJS", "21.01", NULL, "PROV-21", "coordinator"},          /* nearest above */
        {"AAAA-AAAA-AA05", "KES.BPJS", "21.71.04", "KEMENKES", "KEMENKES", "target"},
        {"AAAA-AAAA-AA06", "KES.BPJS", "31", NULL, "NASIONAL", "national"},
        {"AAAA-AAAA-AA07", "KES.BPJS", "21.72.01", NULL, "KOTA-21.72.KOMINFO", "rule"},  /* any category */
        {"AAAA-AAAA-AA08", "JALAN.TROTOAR", "21.72.01", NULL, "KOTA-21.72.PUPR", "rule"}, /* group first */
        {"AAAA-AAAA-AA09", "HUB.PARKIR", "21.72", NULL, "PROV-21.DISHUB", "rule"},        /* inactive skipped */
    };
    size_t count = sizeof cases / sizeof cases[0];
    for (size_t i = 0; i < count; i++)
        insert_report(&cases[i]);
    routing_run_t run = {0};
    choose(cases, count, &run);
    for (size_t i = 0; i < count; i++) {
        const char *institution = NULL, *basis = NULL;
        assert_int_equal(routing_run_find(&run, cases[i].tracking_id, &institution, &basis), 0);
        if (strcmp(institution, cases[i].institution) != 0 || strcmp(basis, cases[i].basis) != 0)
            fail_msg("%s: %s by %s, expected %s by %s", cases[i].tracking_id, institution, basis,
                     cases[i].institution, cases[i].basis);
    }
    const char *institution = NULL, *basis = NULL;
    assert_int_equal(routing_run_find(&run, "ZZZZ-ZZZZ-ZZ99", &institution, &basis), 1);
    routing_run_clear(&run);
    assert_null(run.result);
}

/* Rows of regions, institutions and routing_rules read by sequential scans. */
static const char SEQUENTIAL_READS[] = "SELECT coalesce(sum(seq_tup_read), 0) FROM pg_stat_xact_user_tables "
                                       "WHERE relname IN ('regions', 'institutions', 'routing_rules')";

/* Probes of the rules' index. */
static const char RULE_PROBES[] = "SELECT idx_scan FROM pg_stat_xact_user_tables WHERE relname = 'routing_rules'";

typedef struct {
    const case_t *cases;
    size_t count;
    const char *counter;   /* a pg_stat_xact_user_tables figure read before and after the choice */
    routing_run_t run;
    long read;             /* how far it moved */
} choice_t;

static int choose_counted(db_t *d, void *ctx, db_error_t *error)
{
    choice_t *choice = ctx;
    char *before = NULL, *after = NULL;
    int rc = db_query_value(d, choice->counter, 0, NULL, &before, error);
    if (rc == 0)
        choose(choice->cases, choice->count, &choice->run);
    if (rc == 0)
        rc = db_query_value(d, choice->counter, 0, NULL, &after, error);
    if (rc == 0)
        choice->read = strtol(after, NULL, 10) - strtol(before, NULL, 10);
    free(before);
    free(after);
    return rc;
}

#define BIG_RUN 100

/* A national tree: 20 000 villages under Batam's districts, 20 000 units, 20 000 rules (each
 * category in each of 500 villages), analyzed. A run of 100 reports of every kind of choice must
 * read none of those tables whole. Matching every rule against each report read 3.5 million rows
 * here (each rule and each institution once a report); probing the rules without OFFSET 0, 1.5
 * million (the rules hashed for each report); without the national desk's index, 2.0 million. */
static void test_a_run_reads_the_reference_tables_by_index(void **state)
{
    (void) state;
    test_db_script(db,
        "INSERT INTO regions (code, parent_code, name, kind) "
        "SELECT d.code || '.' || lpad(i::text, 4, '0'), d.code, 'Desa ' || i, 'village' "
        "FROM regions d, generate_series(1, 4000) i WHERE d.code LIKE '21.71.__'; "
        "INSERT INTO institutions (code, parent_code, name, kind, region_code) "
        "SELECT 'UNIT-' || i, 'KEMENKES', 'Unit ' || i, 'unit', NULL FROM generate_series(1, 20000) i; "
        "INSERT INTO routing_rules (category_code, region_code, institution_code) "
        "SELECT c.code, g.code, 'UNIT-' || row_number() OVER () FROM categories c, "
        "  (SELECT code FROM regions WHERE kind = 'village' ORDER BY code LIMIT 500) g; "
        "ANALYZE regions; ANALYZE institutions; ANALYZE routing_rules");
    static const char *const shapes[][3] = {
        {"JALAN.PJU", "21.71.04", NULL}, {"KES.BPJS", "21.71.04.0007", NULL}, {"KES.BPJS", "21.01", NULL},
        {"KES.BPJS", "21.71.04", "KEMENKES"}, {"HUB.PARKIR", "21.72", NULL},
    };
    static case_t cases[BIG_RUN];
    static char ids[BIG_RUN][16];
    for (int i = 0; i < BIG_RUN; i++) {
        snprintf(ids[i], sizeof ids[i], "BBBB-BBBB-%04d", i);
        const char *const *shape = shapes[i % 5];
        cases[i] = (case_t) {ids[i], shape[0], shape[1], shape[2], NULL, NULL};
        insert_report(&cases[i]);
    }
    choice_t choice = {cases, BIG_RUN, SEQUENTIAL_READS, {0}, 0};
    db_error_t error = {"", ""};
    if (db_transaction(db, choose_counted, &choice, &error) != 0)
        fail_msg("%s", error.message);
    assert_int_equal(PQntuples(choice.run.result), BIG_RUN);
    routing_run_clear(&choice.run);
    assert_in_range(choice.read, 0, 1000);
}

/* A surge: a run of 100 reports of three kinds (target, category, region) makes three choices,
 * each probing the rules once for each pair of the kind's categories and regions (a dozen at most
 * here). Choosing for each report probed them 1 102 times. The reports of a kind still get their
 * choice each, and an unknown tracking id none. */
/* Three kinds of report (category, region, target) and where each goes in the seed. */
static const char *const kinds[][3] = {
    {"JALAN.PJU", "21.71.04", NULL}, {"KES.BPJS", "21.01", NULL}, {"KES.BPJS", "21.71.04", "KEMENKES"},
};
static const char *const chosen[][2] = {
    {"KOTA-21.71.PUPR", "rule"}, {"PROV-21", "coordinator"}, {"KEMENKES", "target"},
};

static void test_a_run_chooses_once_for_each_kind_of_report(void **state)
{
    (void) state;
    static case_t cases[BIG_RUN + 1];
    static char ids[BIG_RUN][16];
    for (int i = 0; i < BIG_RUN; i++) {
        snprintf(ids[i], sizeof ids[i], "CCCC-CCCC-%04d", i);
        const char *const *shape = kinds[i % 3];
        cases[i] = (case_t) {ids[i], shape[0], shape[1], shape[2], chosen[i % 3][0], chosen[i % 3][1]};
        insert_report(&cases[i]);
    }
    cases[BIG_RUN] = (case_t) {"ZZZZ-ZZZZ-ZZ98", "JALAN.PJU", "21.71.04", NULL, NULL, NULL};   /* not stored */
    choice_t choice = {cases, BIG_RUN + 1, RULE_PROBES, {0}, 0};
    db_error_t error = {"", ""};
    if (db_transaction(db, choose_counted, &choice, &error) != 0)
        fail_msg("%s", error.message);
    for (int i = 0; i < BIG_RUN; i++) {
        const char *institution = NULL, *basis = NULL;
        assert_int_equal(routing_run_find(&choice.run, cases[i].tracking_id, &institution, &basis), 0);
        assert_string_equal(institution, cases[i].institution);
        assert_string_equal(basis, cases[i].basis);
    }
    const char *institution = NULL, *basis = NULL;
    assert_int_equal(routing_run_find(&choice.run, cases[BIG_RUN].tracking_id, &institution, &basis), 1);
    routing_run_clear(&choice.run);
    assert_in_range(choice.read, 1, 3 * 12);
}

static int choose_ten(db_t *tx_db, void *ctx, db_error_t *error)
{
    routing_run_t run = {0};
    int rc = routing_run_choose(tx_db, ctx, &run, error);
    routing_run_clear(&run);
    return rc;
}

/* On route's connection (its statements prepared): seven runs while reports holds the tests'
 * few hundred, analyzed (PostgreSQL then keeps a generic plan), then 20 000 more (a surge, no
 * analyze yet): the next run probes its own reports. Joined to the run's ids, the plan read them
 * all (a hash join): 20 209 here without the fix. */
static void test_a_run_reads_only_its_reports_after_the_table_grew(void **state)
{
    (void) state;
    test_db_script(db, "ALTER TABLE reports SET (autovacuum_enabled = false); ANALYZE reports");
    char ids[] = "{CCCC-CCCC-0000,CCCC-CCCC-0001,CCCC-CCCC-0002,CCCC-CCCC-0003,CCCC-CCCC-0004,"
                 "CCCC-CCCC-0005,CCCC-CCCC-0006,CCCC-CCCC-0007,CCCC-CCCC-0008,CCCC-CCCC-0009}";
    db_t *route = test_db_open(url);
    assert_non_null(route);
    db_prepare_statements(route);
    for (int i = 0; i < 7; i++)
        test_db_rows_scanned(route, "reports", choose_ten, ids);
    test_db_script(db,
        "INSERT INTO reports (tracking_id, classification, title, body, category_code, region_code, anonymous, "
        "  confidential, field_supervision, channel, status, reporter_token_hash) "
        "SELECT 'SRGE-' || regexp_replace(lpad(i::text, 8, '0'), '^(.{4})(.{4})$', '\\1-\\2'), 'complaint', "
        "  'Jalan', 'Jalan rusak', 'JALAN.PJU', '21.71.04', false, false, false, 'web', 'verified', repeat('0', 64) "
        "FROM generate_series(1, 20000) i");
    long read = test_db_rows_scanned(route, "reports", choose_ten, ids);
    db_destroy(&route);
    assert_in_range(read, 0, 100);
}

/* A run's ids in the reverse of their byte order, its reports of three kinds: a report is looked
 * up by a binary search over the choices, which holds only if they come sorted whatever order the
 * run's ids and the join gave them. */
static void test_each_report_of_a_run_is_found_whatever_the_order_of_its_ids(void **state)
{
    (void) state;
    enum { RUN = 60 };
    static case_t cases[RUN];
    static char ids[RUN][16];
    for (int i = 0; i < RUN; i++) {
        snprintf(ids[i], sizeof ids[i], "EEEE-EEEE-%04d", RUN - 1 - i);
        cases[i] = (case_t) {ids[i], kinds[i % 3][0], kinds[i % 3][1], kinds[i % 3][2], chosen[i % 3][0],
                             chosen[i % 3][1]};
        insert_report(&cases[i]);
    }
    routing_run_t run = {0};
    choose(cases, RUN, &run);
    for (int i = 0; i < RUN; i++) {
        const char *institution = NULL, *basis = NULL;
        if (routing_run_find(&run, cases[i].tracking_id, &institution, &basis) != 0)
            fail_msg("%s not found among the run's %d choices", cases[i].tracking_id, PQntuples(run.result));
        assert_string_equal(institution, cases[i].institution);
        assert_string_equal(basis, cases[i].basis);
    }
    routing_run_clear(&run);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_each_report_goes_to_the_most_specific_holder),
        cmocka_unit_test(test_a_run_reads_the_reference_tables_by_index),
        cmocka_unit_test(test_a_run_chooses_once_for_each_kind_of_report),
        cmocka_unit_test(test_a_run_reads_only_its_reports_after_the_table_grew),
        cmocka_unit_test(test_each_report_of_a_run_is_found_whatever_the_order_of_its_ids),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
