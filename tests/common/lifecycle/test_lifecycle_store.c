#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lifecycle_store.h"
#include "report_lifecycle.h"
#include "secret_token.h"
#include "test_db.h"

static char *url;
static db_t *db;
static int64_t now_ms = 1795000000000;  /* 2026-11-18, a Wednesday */

static int setup(void **state)
{
    (void) state;
    return (db = test_db_open_migrated("lifecycle", &url)) ? 0 : -1;
}

static int teardown(void **state)
{
    (void) state;
    test_db_close(&db, &url);
    return 0;
}

static char *scalar(const char *sql, const char *param)
{
    db_error_t error;
    const char *params[] = {param};
    PGresult *r = db_exec(db, sql, param ? 1 : 0, params, &error);
    assert_non_null(r);
    char *value = db_value_dup(r, 0, 0);
    PQclear(r);
    return value;
}

static void assert_scalar(const char *sql, const char *param, const char *expected)
{
    char *value = scalar(sql, param);
    assert_string_equal(value, expected);
    free(value);
}

static void test_working_deadlines_skip_weekends_holidays_and_follow_jakarta_dates(void **state)
{
    (void) state;
    static const char sql[] = "SELECT to_char(working_deadline($1::timestamptz, %d) AT TIME ZONE 'UTC', "
                              "'YYYY-MM-DD\"T\"HH24:MI')";
    char query[200];
    snprintf(query, sizeof query, sql, 3);
    /* Friday 10:00 WIB: Mon, Tue, Wed count; due at the start of Thursday, Jakarta time. */
    assert_scalar(query, "2026-11-20 10:00+07", "2026-11-25T17:00");
    /* Thursday 23:30 WIB is still Thursday there; 00:30 WIB the next day is Friday. */
    assert_scalar(query, "2026-11-19 16:30Z", "2026-11-24T17:00");
    assert_scalar(query, "2026-11-19 17:30Z", "2026-11-25T17:00");
    /* Nyepi, Idulfitri and their joint leave days (18-24 March) count for nothing. */
    assert_scalar(query, "2026-03-17 09:00+07", "2026-03-27T17:00");
    snprintf(query, sizeof query, sql, 5);
    /* Christmas joint leave and Christmas Day are skipped. */
    assert_scalar(query, "2026-12-22 09:00+07", "2026-12-31T17:00");  /* 23, 28, 29, 30, 31 */
}

/* 0035 counts whole weeks instead of walking day by day: the same answer as the walk, for starts
 * every 7 hours through a year of the seeded calendar plus a made-up stretch of holidays that
 * covers weekdays, a weekend and runs of days, and for 0 to 365 working days. */
static void test_working_deadlines_agree_with_walking_the_calendar_day_by_day(void **state)
{
    (void) state;
    db_error_t error;
    assert_int_equal(db_exec_script(db,
        "BEGIN; "
        "CREATE FUNCTION pg_temp.walked_deadline(start timestamptz, days int) RETURNS timestamptz "
        "LANGUAGE plpgsql STABLE AS $$ DECLARE d date := (start AT TIME ZONE 'Asia/Jakarta')::date; "
        "counted int := 0; BEGIN WHILE counted < days LOOP d := d + 1; IF is_working_day(d) THEN "
        "counted := counted + 1; END IF; END LOOP; RETURN ((d + 1)::timestamp) AT TIME ZONE 'Asia/Jakarta'; END $$; "
        "INSERT INTO holidays (day, name, kind) SELECT d, 'test', 'national' "
        "FROM generate_series(date '2027-02-03', date '2027-02-15', interval '1 day') d "
        "WHERE d::date NOT IN (date '2027-02-08', date '2027-02-12') ON CONFLICT DO NOTHING", &error), 0);
    assert_scalar("SELECT count(*) FILTER (WHERE working_deadline(s, n) <> pg_temp.walked_deadline(s, n)) "
                  "|| ' of ' || count(*) FROM generate_series(timestamptz '2026-01-01 00:00+07', "
                  "'2027-03-01', interval '7 hours') s, unnest(ARRAY[0, 1, 2, 3, 4, 5, 6, 7, 9, 10, 14, 60, 365]) n",
                  NULL, "0 of 18915");
    assert_int_equal(db_exec_script(db, "ROLLBACK", &error), 0);
}

/* 0051: add_weekdays is an expression its callers' plans take in, not a statement that each
 * transaction calling working_deadline plans again; its answers are checked with working_deadline's
 * above. A call shows in the plan by its name only when it was not inlined. */
static void test_add_weekdays_is_inlined_into_its_callers(void **state)
{
    (void) state;
    db_error_t error;
    PGresult *r = db_exec(db, "EXPLAIN (VERBOSE, COSTS OFF) SELECT add_weekdays(d::date, n) "
                              "FROM generate_series(date '2026-01-01', date '2026-01-09', interval '1 day') d, "
                              "generate_series(0, 9) n", 0, NULL, &error);
    assert_non_null(r);
    bool inlined = false, called = false;
    for (int i = 0; i < PQntuples(r); i++) {
        inlined |= strstr(PQgetvalue(r, i, 0), "isodow") != NULL;
        called |= strstr(PQgetvalue(r, i, 0), "add_weekdays") != NULL;
    }
    PQclear(r);
    assert_true(inlined);
    assert_false(called);
}

static void insert_report(const char *tracking_id, const char *classification, const char *token_hash)
{
    db_error_t error;
    const char *params[] = {tracking_id, classification, token_hash};
    PGresult *r = db_exec(db, "INSERT INTO reports (tracking_id, classification, title, body, category_code, region_code, "
                              "anonymous, confidential, channel, status, reporter_token_hash) VALUES ($1, $2, "
                              "'Jalan rusak parah', 'Jalan rusak di depan pasar sejak lama.', 'JALAN.BERLUBANG', '21.71', "
                              "false, false, 'web', 'waiting_verification', $3) RETURNING id", 3, params, &error);
    assert_non_null(r);
    assert_int_equal(lifecycle_store_open_clock(db, strtoll(PQgetvalue(r, 0, 0), NULL, 10), "verification", now_ms,
                                                &error), 0);
    PQclear(r);
}

typedef struct {
    report_step_t step;
    const char *request_id;
    report_outcome_t outcome;
    error_reply_t refusal;
    int rc;
} attempt_t;

static int attempt_tx(db_t *d, void *ctx, db_error_t *error)
{
    attempt_t *a = ctx;
    lifecycle_context_t context = {a->request_id, now_ms};
    report_outcome_clear(&a->outcome);
    return a->rc = lifecycle_store_apply(d, &a->step, &context, &a->outcome, &a->refusal, error);
}

static int attempt(attempt_t *a)
{
    db_error_t error = {"", ""};
    int rc = db_transaction(db, attempt_tx, a, &error);
    if (rc < 0)
        fail_msg("%s", error.message);
    return rc;
}

static void test_transitions_check_state_scope_and_repeat_nothing(void **state)
{
    (void) state;
    char token[SECRET_TOKEN_LEN + 1], hash[SECRET_TOKEN_HASH_HEX_LEN + 1];
    secret_token_generate(token);
    secret_token_hash_hex(token, hash);
    insert_report("AAAA-AAAA-AAA1", "complaint", hash);
    attempt_t a = {.step = {.tracking_id = "AAAA-AAAA-AAA1", .action = "verify", .actor_role = "institution_admin",
                            .actor_id = "kota", .actor_institution = "KOTA-21.71"}, .request_id = "r1"};
    assert_int_equal(attempt(&a), 1);  /* no target: not the city's desk */
    assert_string_equal(a.refusal.code, "forbidden");
    a.step.actor_role = "national_admin";
    a.step.actor_institution = "NASIONAL";
    assert_int_equal(attempt(&a), 0);
    assert_string_equal(a.outcome.status, "verified");
    assert_int_equal(attempt(&a), 0);  /* the same request again: answered, not repeated */
    assert_string_equal(a.outcome.status, "verified");
    assert_scalar("SELECT count(*)::text FROM report_actions WHERE request_id = $1", "r1", "1");
    assert_scalar("SELECT count(*)::text FROM events WHERE type = 'report.verified' AND tracking_id = $1",
                  "AAAA-AAAA-AAA1", "1");
    assert_scalar("SELECT outcome FROM report_deadlines WHERE kind = 'verification' AND report_id = "
                  "(SELECT id FROM reports WHERE tracking_id = $1)", "AAAA-AAAA-AAA1", "met");
    a.request_id = "r2";
    assert_int_equal(attempt(&a), 1);  /* verified already */
    assert_string_equal(a.refusal.code, "conflict");
    assert_string_equal(a.refusal.status, "verified");
    attempt_t route = {.step = {.tracking_id = "AAAA-AAAA-AAA1", .action = "route", .actor_role = "system",
                                .institution = "KOTA-21.71.PUPR"}, .request_id = "r3"};
    assert_int_equal(attempt(&route), 0);
    assert_string_equal(route.outcome.public_status, "not_yet_followed_up");
    attempt_t reply = {.step = {.tracking_id = "AAAA-AAAA-AAA1", .action = "reply", .actor_role = "reporter",
                                .reporter_token = token, .note = "Belum ada perbaikan"}, .request_id = "r4"};
    assert_int_equal(attempt(&reply), 1);  /* nothing to reply to yet */
    assert_string_equal(reply.refusal.status, "dispatched");
    report_outcome_clear(&a.outcome);
    report_outcome_clear(&route.outcome);
}

typedef struct {
    db_t *db;
    attempt_t attempt;
} racer_t;

static void *race(void *arg)
{
    racer_t *r = arg;
    db_error_t error = {"", ""};
    r->attempt.rc = db_transaction(r->db, attempt_tx, &r->attempt, &error);
    return NULL;
}

/* A copy of a request arriving while the first is still being applied (the first transaction
 * holds the report) must get the first's answer, not a conflict with the status it produced. */
static void test_a_copy_racing_the_first_gets_the_same_answer(void **state)
{
    (void) state;
    insert_report("AAAA-AAAA-AAA3", "complaint", "0000000000000000000000000000000000000000000000000000000000000000");
    report_step_t verify = {.tracking_id = "AAAA-AAAA-AAA3", .action = "verify", .actor_role = "national_admin",
                            .actor_id = "nas", .actor_institution = "NASIONAL"};
    racer_t second = {.db = db_new(url), .attempt = {.step = verify, .request_id = "same"}};
    db_error_t error = {"", ""};
    assert_int_equal(db_connect(second.db, 0, &error), 0);
    attempt_t first = {.step = verify, .request_id = "same"};
    assert_int_equal(db_exec_ok(db, "BEGIN", 0, NULL, &error), 0);
    assert_int_equal(attempt_tx(db, &first, &error), 0);
    pthread_t thread;
    assert_int_equal(pthread_create(&thread, NULL, race, &second), 0);
    usleep(300 * 1000);  /* the copy is now waiting for the report's lock */
    assert_int_equal(db_exec_ok(db, "COMMIT", 0, NULL, &error), 0);
    pthread_join(thread, NULL);
    assert_int_equal(second.attempt.rc, 0);
    assert_string_equal(second.attempt.outcome.status, "verified");
    assert_scalar("SELECT count(*)::text FROM events WHERE type = 'report.verified' AND tracking_id = $1",
                  "AAAA-AAAA-AAA3", "1");
    report_outcome_clear(&first.outcome);
    report_outcome_clear(&second.attempt.outcome);
    db_destroy(&second.db);
}

/* While a step holds a report, rows that only reference it (notify's deliveries, through their
 * foreign key) are inserted without waiting for the step's transaction to end. */
static void test_a_step_in_progress_lets_references_to_the_report_in(void **state)
{
    (void) state;
    insert_report("AAAA-AAAA-AAA4", "complaint", "0000000000000000000000000000000000000000000000000000000000000000");
    report_step_t verify = {.tracking_id = "AAAA-AAAA-AAA4", .action = "verify", .actor_role = "national_admin",
                            .actor_id = "nas", .actor_institution = "NASIONAL"};
    db_t *other = db_new(url);
    db_error_t error = {"", ""};
    assert_int_equal(db_connect(other, 0, &error), 0);
    attempt_t step = {.step = verify, .request_id = "held"};
    assert_int_equal(db_exec_ok(db, "BEGIN", 0, NULL, &error), 0);
    assert_int_equal(attempt_tx(db, &step, &error), 0);
    const char *id[] = {"AAAA-AAAA-AAA4"};
    assert_int_equal(db_exec_ok(other, "SET lock_timeout = '300ms'", 0, NULL, &error), 0);
    int rc = db_exec_ok(other, "SELECT 1 FROM reports WHERE tracking_id = $1 FOR KEY SHARE", 1, id, &error);
    assert_int_equal(db_exec_ok(db, "COMMIT", 0, NULL, &error), 0);
    if (rc != 0)
        print_error("%s\n", error.message);
    assert_int_equal(rc, 0);
    report_outcome_clear(&step.outcome);
    db_destroy(&other);
}

static int sweep_tx(db_t *d, void *ctx, db_error_t *error)
{
    int *handled = ctx;
    *handled = lifecycle_store_sweep(d, now_ms, 100, error);
    return *handled < 0 ? -1 : 0;
}

static int sweep(void)
{
    int handled = 0;
    db_error_t error = {"", ""};
    assert_int_equal(db_transaction(db, sweep_tx, &handled, &error), 0);
    return handled;
}

static void test_a_missed_clock_is_reported_once(void **state)
{
    (void) state;
    insert_report("AAAA-AAAA-AAA2", "aspiration", "0000000000000000000000000000000000000000000000000000000000000000");
    int64_t saved = now_ms;
    now_ms += 10LL * 86400 * 1000;
    assert_true(sweep() >= 1);
    assert_int_equal(sweep(), 0);
    assert_scalar("SELECT count(*)::text FROM events WHERE type = 'report.deadline_missed' AND tracking_id = $1",
                  "AAAA-AAAA-AAA2", "1");
    now_ms = saved;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_working_deadlines_skip_weekends_holidays_and_follow_jakarta_dates),
        cmocka_unit_test(test_working_deadlines_agree_with_walking_the_calendar_day_by_day),
        cmocka_unit_test(test_add_weekdays_is_inlined_into_its_callers),
        cmocka_unit_test(test_transitions_check_state_scope_and_repeat_nothing),
        cmocka_unit_test(test_a_missed_clock_is_reported_once),
        cmocka_unit_test(test_a_copy_racing_the_first_gets_the_same_answer),
        cmocka_unit_test(test_a_step_in_progress_lets_references_to_the_report_in),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
