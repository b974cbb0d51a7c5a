/* A holiday change (holiday_store.c) and lifecycle steps on the same reports at once. Since
 * migration 0031 moving a clock also updates its report (the trigger on report_deadlines), and a
 * step locks its report first and its clocks after it (lifecycle_store.c: lock_report, then
 * end_clocks). Each round holds one report as a step does, lets the holiday change run until it
 * waits, then lets the step end that report's clocks: the change must wait for the step, never
 * make PostgreSQL break a deadlock (40P01) by aborting one of them. */
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

#include "holiday_store.h"
#include "message_types.h"
#include "test_db.h"

#define ROUNDS 4
#define DAY "2031-03-12"   /* a Wednesday inside every test clock, no seeded holiday */
#define WAIT_POLLS 100     /* 50 ms each: how long the change may take to reach its lock wait */

static char *url;
static db_t *db;

static void exec_ok(db_t *on, const char *sql, int n, const char *const *params)
{
    db_error_t error = {"", ""};
    if (db_exec_ok(on, sql, n, params, &error) != 0)
        fail_msg("%s: %s", sql, error.message);
}

static char *value_of(db_t *on, const char *sql, int n, const char *const *params)
{
    db_error_t error = {"", ""};
    char *value = NULL;
    if (db_query_value(on, sql, n, params, &value, &error) != 0 || !value)
        fail_msg("%s: %s", sql, error.message);
    return value;
}

static db_t *connected(void)
{
    db_t *other = db_new(url);
    db_error_t error = {"", ""};
    if (!other || db_connect(other, 0, &error) != 0)
        fail_msg("connect: %s", error.message);
    return other;
}

static int setup(void **state)
{
    (void) state;
    if (!(db = test_db_open_migrated("holiday_locks", &url)))
        return -1;
    exec_ok(db, "INSERT INTO reports (tracking_id, classification, title, body, category_code, region_code, anonymous, "
                "  confidential, channel, status, reporter_token_hash, submitted_at, updated_at) "
                "SELECT '0000-0000-000' || i, 'complaint', 'Jalan rusak', 'Jalan berlubang di depan pasar', "
                "  (SELECT min(code) FROM categories), (SELECT min(code) FROM regions), false, false, 'web', "
                "  'waiting_verification', md5('h' || i) || md5('l' || i), now(), now() "
                "FROM generate_series(1, 7) i"   /* ROUNDS held ones and three more */, 0, NULL);
    exec_ok(db, "INSERT INTO report_deadlines (report_id, kind, started_at, due_at) "
                "SELECT id, 'verification', '2031-03-03T09:00+07', '2031-03-28T00:00+07' FROM reports", 0, NULL);
    return 0;
}

static int teardown(void **state)
{
    (void) state;
    test_db_close(&db, &url);
    return 0;
}

typedef struct {
    db_t *db;
    bool adding;
    int rc;
    db_error_t error;
} change_t;

/* The holiday command's transaction, as aduan-route runs it, but without db_transaction's retry:
 * a deadlock must show here, not be hidden by a second attempt. */
static void *change_holiday(void *arg)
{
    change_t *c = arg;
    holiday_change_t change = {DAY, "Hari uji", "national", "national_admin", "nas"};
    error_reply_t refusal;
    char *json = NULL;
    c->rc = db_exec_ok(c->db, "BEGIN", 0, NULL, &c->error);
    if (c->rc == 0)
        c->rc = c->adding ? holiday_store_add(c->db, &change, &json, &refusal, &c->error)
                          : holiday_store_remove(c->db, &change, &refusal, &c->error);
    free(json);
    db_error_t ignored;
    if (c->rc == 0)
        c->rc = db_exec_ok(c->db, "COMMIT", 0, NULL, &c->error);
    else
        db_exec_ok(c->db, "ROLLBACK", 0, NULL, &ignored);
    return NULL;
}

/* Whether the backend `pid` waits for a lock now. */
static bool waits_for_a_lock(const char *pid)
{
    const char *params[] = {pid};
    char *waiting = value_of(db, "SELECT (COALESCE(wait_event_type, '') = 'Lock')::text FROM pg_stat_activity "
                                 "WHERE pid = $1::int", 1, params);
    bool answer = strcmp(waiting, "true") == 0;
    free(waiting);
    return answer;
}

/* One round: the step holds report n, the change runs into it, the step ends n's clocks. */
static void round_on(db_t *step, change_t *change, const char *change_pid, int n)
{
    char tracking_id[16];
    snprintf(tracking_id, sizeof tracking_id, "0000-0000-000%d", n);
    const char *params[] = {tracking_id};
    exec_ok(step, "BEGIN", 0, NULL);
    char *id = value_of(step, "SELECT id FROM reports WHERE tracking_id = $1 FOR NO KEY UPDATE", 1, params);
    pthread_t thread;
    assert_int_equal(pthread_create(&thread, NULL, change_holiday, change), 0);
    int polls = 0;
    while (!waits_for_a_lock(change_pid) && ++polls < WAIT_POLLS)
        usleep(50 * 1000);
    const char *end[] = {id};
    db_error_t error = {"", ""};
    int rc = db_exec_ok(step, "UPDATE report_deadlines SET ended_at = now(), outcome = 'met' "
                              "WHERE report_id = $1::bigint AND ended_at IS NULL", 1, end, &error);
    exec_ok(step, rc == 0 ? "COMMIT" : "ROLLBACK", 0, NULL);
    pthread_join(thread, NULL);
    free(id);
    if (rc != 0 || change->rc != 0)
        fail_msg("round %d: the step %s [%s] %s; the holiday change %s [%s] %s", n, rc ? "failed" : "passed",
                 error.sqlstate, error.message, change->rc ? "failed" : "passed", change->error.sqlstate,
                 change->error.message);
    assert_true(polls < WAIT_POLLS);   /* the change did reach the held report */
    /* The change moved the open clocks: a day later while DAY is a holiday. */
    char *due = value_of(db, "SELECT string_agg(DISTINCT to_char(due_at AT TIME ZONE 'Asia/Jakarta', 'YYYY-MM-DD'), ' ') "
                             "FROM report_deadlines WHERE ended_at IS NULL", 0, NULL);
    assert_string_equal(due, change->adding ? "2031-03-29" : "2031-03-28");
    free(due);
}

static void test_a_holiday_change_waits_for_steps_without_a_deadlock(void **state)
{
    (void) state;
    db_t *step = connected();
    change_t change = {.db = connected()};
    char *pid = value_of(change.db, "SELECT pg_backend_pid()::text", 0, NULL);
    for (int n = 1; n <= ROUNDS; n++) {
        change.adding = n % 2 == 1;
        round_on(step, &change, pid, n);
    }
    /* Every held report's clock ended by its step, every change done with its event. */
    char *ended = value_of(db, "SELECT count(*)::text FROM report_deadlines WHERE ended_at IS NOT NULL", 0, NULL);
    assert_int_equal(atoi(ended), ROUNDS);
    const char *types[] = {EVENT_HOLIDAY_ADDED, EVENT_HOLIDAY_REMOVED};
    char *events = value_of(db, "SELECT count(*)::text FROM events WHERE type IN ($1, $2)", 2, types);
    assert_int_equal(atoi(events), ROUNDS);
    free(events);
    free(ended);
    free(pid);
    db_destroy(&change.db);
    db_destroy(&step);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_a_holiday_change_waits_for_steps_without_a_deadlock),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
