#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "db_wakeup.h"
#include "test_db.h"

static db_t *open_db(char **url)
{
    *url = test_db_create("db");
    assert_non_null(*url);
    db_t *db = db_new(*url);
    db_error_t error;
    assert_int_equal(db_connect(db, 5000, &error), 0);
    PGresult *r = db_exec(db, "CREATE TABLE t (id serial PRIMARY KEY, v text UNIQUE)", 0, NULL, &error);
    assert_non_null(r);
    PQclear(r);
    return db;
}

static long count(db_t *db)
{
    return (long) test_db_scalar(db, "SELECT count(*) FROM t");
}

static void test_parameters_are_data_and_errors_carry_sqlstate(void **state)
{
    (void) state;
    char *url;
    db_t *db = open_db(&url);
    db_error_t error;
    const char *hostile[] = {"'); DROP TABLE t; --"};
    PGresult *r = db_exec(db, "INSERT INTO t (v) VALUES ($1) RETURNING v", 1, hostile, &error);
    assert_non_null(r);
    assert_string_equal(PQgetvalue(r, 0, 0), hostile[0]);
    PQclear(r);
    assert_null(db_exec(db, "INSERT INTO t (v) VALUES ($1)", 1, hostile, &error));
    assert_string_equal(error.sqlstate, "23505");
    assert_false(db_error_is_retryable(&error));
    const char *null_param[] = {NULL};
    r = db_exec(db, "INSERT INTO t (v) VALUES ($1) RETURNING v IS NULL", 1, null_param, &error);
    assert_string_equal(PQgetvalue(r, 0, 0), "t");
    PQclear(r);
    test_db_close(&db, &url);
}

static int insert_then(db_t *db, void *ctx, db_error_t *error)
{
    int *outcome = ctx;
    const char *v[] = {"in-tx"};
    PGresult *r = db_exec(db, "INSERT INTO t (v) VALUES ($1)", 1, v, error);
    PQclear(r);
    return r ? *outcome : -1;
}

static void test_transaction_commits_or_rolls_back(void **state)
{
    (void) state;
    char *url;
    db_t *db = open_db(&url);
    db_error_t error;
    int outcome = 7;
    assert_int_equal(db_transaction(db, insert_then, &outcome, &error), 7);
    assert_int_equal(count(db), 0);
    outcome = 0;
    assert_int_equal(db_transaction(db, insert_then, &outcome, &error), 0);
    assert_int_equal(count(db), 1);
    test_db_close(&db, &url);
}

typedef struct {
    const char *values[3];
    long seen;              /* rows seen by a read between the deferred inserts */
    int rc_of_last;         /* what db_exec_ok said for the last insert */
} deferred_tx_t;

/* Two inserts sent without waiting, a read that must see them, a third insert sent. */
static int deferred_inserts(db_t *db, void *ctx, db_error_t *error)
{
    deferred_tx_t *d = ctx;
    if (db_defer(db, error) != 0)
        return -1;
    for (int i = 0; i < 2; i++)
        if (db_exec_ok(db, "INSERT INTO t (v) VALUES ($1)", 1, &d->values[i], error) != 0)
            return -1;
    PGresult *r = db_exec(db, "SELECT count(*) FROM t", 0, NULL, error);
    if (!r)
        return -1;
    d->seen = strtol(PQgetvalue(r, 0, 0), NULL, 10);
    PQclear(r);
    d->rc_of_last = db_exec_ok(db, "INSERT INTO t (v) VALUES ($1)", 1, &d->values[2], error);
    return d->rc_of_last;
}

static void test_deferred_statements_keep_order_and_fail_their_transaction(void **state)
{
    (void) state;
    char *url;
    db_t *db = open_db(&url);
    db_error_t error = {"", ""};
    deferred_tx_t ok = {{"a", "b", "c"}, 0, -1};
    assert_int_equal(db_transaction(db, deferred_inserts, &ok, &error), 0);
    assert_int_equal(ok.seen, 2);
    assert_int_equal(count(db), 3);
    /* A duplicate among the first two: the read after them reports it, nothing is committed. */
    deferred_tx_t early = {{"d", "a", "e"}, -1, -1};
    assert_int_not_equal(db_transaction(db, deferred_inserts, &early, &error), 0);
    assert_string_equal(error.sqlstate, "23505");
    assert_int_equal(early.seen, -1);
    /* A duplicate in the last one: it was only sent (0), the end of the transaction reports it. */
    deferred_tx_t late = {{"f", "g", "b"}, 0, -1};
    memset(&error, 0, sizeof error);
    assert_int_not_equal(db_transaction(db, deferred_inserts, &late, &error), 0);
    assert_int_equal(late.rc_of_last, 0);
    assert_string_equal(error.sqlstate, "23505");
    assert_int_equal(count(db), 3);
    /* The connection works normally afterwards. */
    const char *v[] = {"h"};
    assert_int_equal(db_exec_ok(db, "INSERT INTO t (v) VALUES ($1)", 1, v, &error), 0);
    assert_int_equal(count(db), 4);
    test_db_close(&db, &url);
}

static long prepared_on_server(db_t *db)
{
    return (long) test_db_scalar(db, "SELECT count(*) FROM pg_prepared_statements WHERE NOT from_sql");
}

static void test_prepared_statements_are_prepared_once_and_again_after_reconnection(void **state)
{
    (void) state;
    char *url;
    db_t *db = open_db(&url);
    db_prepare_statements(db);
    db_error_t error;
    const char *values[] = {"x", "y", "z"};
    for (int i = 0; i < 3; i++)
        assert_int_equal(db_exec_ok(db, "INSERT INTO t (v) VALUES ($1)", 1, &values[i], &error), 0);
    /* the insert and the count read by prepared_on_server itself */
    assert_int_equal(prepared_on_server(db), 2);
    assert_int_equal(count(db), 3);
    const char *dup[] = {"x"};
    assert_int_equal(db_exec_ok(db, "INSERT INTO t (v) VALUES ($1)", 1, dup, &error), -1);
    assert_string_equal(error.sqlstate, "23505");
    assert_int_equal(db_exec_ok(db, "INSERT INTO t (v) VALUES (", 0, NULL, &error), -1);
    assert_string_equal(error.sqlstate, "42601");
    assert_int_equal(db_connect(db, 5000, &error), 0);       /* a new session knows none of them */
    const char *w[] = {"w"};
    assert_int_equal(db_exec_ok(db, "INSERT INTO t (v) VALUES ($1)", 1, w, &error), 0);
    assert_int_equal(prepared_on_server(db), 2);
    assert_int_equal(count(db), 4);
    test_db_close(&db, &url);
}

/* A deferred insert, then a planned read that must wait for it and see it. */
static int planned_read_after_deferred(db_t *db, void *ctx, db_error_t *error)
{
    long *seen = ctx;
    const char *v[] = {"deferred"};
    if (db_defer(db, error) != 0 || db_exec_ok(db, "INSERT INTO t (v) VALUES ($1)", 1, v, error) != 0)
        return -1;
    PGresult *r = db_exec_planned(db, "SELECT count(*) FROM t WHERE v = $1", 1, v, error);
    if (!r)
        return -1;
    *seen = strtol(PQgetvalue(r, 0, 0), NULL, 10);
    PQclear(r);
    return 0;
}

static void test_a_planned_statement_is_never_prepared_and_waits_for_deferred_ones(void **state)
{
    (void) state;
    char *url;
    db_t *db = open_db(&url);
    db_prepare_statements(db);
    db_error_t error;
    const char *values[] = {"p", "q", "r", "s", "t", "u", "v"};
    for (int i = 0; i < 7; i++) {   /* past the five custom plans after which a prepared one may go generic */
        PGresult *r = db_exec_planned(db, "INSERT INTO t (v) VALUES ($1) RETURNING id", 1, &values[i], &error);
        assert_non_null(r);
        assert_int_equal(PQntuples(r), 1);
        PQclear(r);
    }
    /* the count read by prepared_on_server alone */
    assert_int_equal(prepared_on_server(db), 1);
    assert_int_equal(count(db), 7);
    const char *dup[] = {"p"};
    assert_null(db_exec_planned(db, "INSERT INTO t (v) VALUES ($1)", 1, dup, &error));
    assert_string_equal(error.sqlstate, "23505");
    long seen = -1;
    assert_int_equal(db_transaction(db, planned_read_after_deferred, &seen, &error), 0);
    assert_int_equal(seen, 1);
    assert_int_equal(test_db_scalar(db, "SELECT count(*) FROM pg_prepared_statements "
                                        "WHERE statement = 'SELECT count(*) FROM t WHERE v = $1'"), 0);
    test_db_close(&db, &url);
}

/* Kills the session of `victim` from another connection, as a server restart would. */
static void kill_session(const char *url, db_t *victim)
{
    db_error_t error;
    PGresult *pid = db_exec(victim, "SELECT pg_backend_pid()::text", 0, NULL, &error);
    const char *params[] = {PQgetvalue(pid, 0, 0)};
    db_t *killer = db_new(url);
    assert_int_equal(db_connect(killer, 5000, &error), 0);
    PGresult *r = db_exec(killer, "SELECT pg_terminate_backend($1::int)", 1, params, &error);
    assert_non_null(r);
    PQclear(r);
    PQclear(pid);
    db_destroy(&killer);
}

typedef struct {
    const char *url;
    db_t *self;
    int calls;
} killer_tx_t;

static int killed_on_first_call(db_t *db, void *ctx, db_error_t *error)
{
    killer_tx_t *k = ctx;
    if (k->calls++ == 0)
        kill_session(k->url, k->self);
    const char *v[] = {"after-kill"};
    PGresult *r = db_exec(db, "INSERT INTO t (v) VALUES ($1)", 1, v, error);
    PQclear(r);
    return r ? 0 : -1;
}

static void test_reconnects_after_the_connection_is_killed(void **state)
{
    (void) state;
    char *url;
    db_t *db = open_db(&url);
    db_error_t error;
    kill_session(url, db);
    assert_int_equal(count(db), 0);  /* db_exec reconnected by itself */
    killer_tx_t k = {url, db, 0};
    assert_int_equal(db_transaction(db, killed_on_first_call, &k, &error), 0);
    assert_int_equal(k.calls, 2);    /* the whole transaction ran again */
    assert_int_equal(count(db), 1);
    test_db_close(&db, &url);
}

static void assert_setting(db_t *db, const char *name, const char *expected)
{
    db_error_t error;
    const char *params[] = {name};
    PGresult *r = db_exec(db, "SELECT current_setting($1)", 1, params, &error);
    assert_non_null(r);
    assert_string_equal(PQgetvalue(r, 0, 0), expected);
    PQclear(r);
}

static void test_a_statement_timeout_cancels_and_outlives_reconnection(void **state)
{
    (void) state;
    char *url;
    db_t *db = open_db(&url);
    db_error_t error;
    db_set_statement_timeout(db, 200);
    kill_session(url, db);
    assert_int_equal(count(db), 0);  /* reconnected, and the timeout set again */
    assert_setting(db, "statement_timeout", "200ms");
    assert_null(db_exec(db, "SELECT pg_sleep(5)", 0, NULL, &error));
    assert_true(db_error_is_timeout(&error));
    assert_false(db_error_is_retryable(&error));
    test_db_close(&db, &url);
}

/* Plans by index are asked for once and hold on every connection after it. */
static void test_index_plans_outlive_reconnection(void **state)
{
    (void) state;
    char *url;
    db_t *db = open_db(&url);
    db_error_t error;
    assert_int_equal(db_prepare_index_plans(db, &error), 0);
    assert_setting(db, "enable_seqscan", "off");
    kill_session(url, db);
    assert_int_equal(count(db), 0);  /* reconnected, and the settings made again */
    assert_setting(db, "enable_seqscan", "off");
    assert_setting(db, "enable_bitmapscan", "off");
    assert_setting(db, "plan_cache_mode", "force_generic_plan");
    test_db_close(&db, &url);
}

/* Generic plans asked for after plans by index give the planner its scans back. */
static void test_generic_plans_after_index_plans_allow_every_scan(void **state)
{
    (void) state;
    char *url;
    db_t *db = open_db(&url);
    db_error_t error;
    assert_int_equal(db_prepare_index_plans(db, &error), 0);
    assert_int_equal(db_prepare_generic_plans(db, &error), 0);
    assert_setting(db, "enable_seqscan", "on");
    assert_setting(db, "enable_bitmapscan", "on");
    assert_setting(db, "plan_cache_mode", "force_generic_plan");
    test_db_close(&db, &url);
}

static int sleep_long(db_t *db, void *ctx, db_error_t *error)
{
    (void) ctx;
    return db_exec_ok(db, "SELECT pg_sleep(5)", 0, NULL, error);
}

static void test_a_bounded_transaction_cancels_only_its_own_statements(void **state)
{
    (void) state;
    char *url;
    db_t *db = open_db(&url);
    db_error_t error;
    assert_int_equal(db_bounded_transaction(db, 200, sleep_long, NULL, &error), -1);
    assert_true(db_error_is_timeout(&error));
    assert_setting(db, "statement_timeout", "0");
    test_db_close(&db, &url);
}

#define WAKE_CHANNEL "aduan_test_wake"

typedef struct {
    char payloads[8][16];
    int count;
} heard_t;

static void hear(const char *payload, void *ctx)
{
    heard_t *heard = ctx;
    if (heard->count < 8)
        snprintf(heard->payloads[heard->count], sizeof heard->payloads[0], "%s", payload);
    heard->count++;
}

/* What the listener hears within a second (nothing heard is an empty list). */
static heard_t listen_for_a_second(db_wakeup_t *listener)
{
    heard_t heard = {.count = 0};
    struct pollfd fd = {.fd = db_wakeup_fd(listener), .events = POLLIN};
    while (poll(&fd, 1, heard.count ? 100 : 1000) > 0)
        db_wakeup_drain(listener, hear, &heard);
    return heard;
}

typedef struct {
    const char *payloads[3];
    db_wakeup_t *listener;
    int outcome;
} waking_t;

static int wake_then(db_t *db, void *ctx, db_error_t *error)
{
    waking_t *w = ctx;
    for (int i = 0; i < 3 && w->payloads[i]; i++)
        if (db_wake_after_commit(db, WAKE_CHANNEL, w->payloads[i], error) != 0)
            return -1;
    heard_t early = {.count = 0};
    db_wakeup_drain(w->listener, hear, &early);
    assert_int_equal(early.count, 0);
    if (db_exec_ok(db, "INSERT INTO t (v) VALUES ($1)", 1, w->payloads, error) != 0)
        return -1;
    return w->outcome;
}

/* A second connection listening on WAKE_CHANNEL (the caller destroys it). */
static db_t *open_listener(const char *url, db_wakeup_t *listener)
{
    db_t *other = db_new(url);
    db_error_t error;
    assert_int_equal(db_connect(other, 5000, &error), 0);
    *listener = (db_wakeup_t) {other, WAKE_CHANNEL, 0};
    assert_true(db_wakeup_fd(listener) >= 0);
    return other;
}

static void test_a_wake_up_follows_the_commit_once_and_never_a_rollback(void **state)
{
    (void) state;
    char *url;
    db_t *db = open_db(&url);
    db_wakeup_t listener;
    db_t *other = open_listener(url, &listener);
    db_error_t error;

    waking_t twice = {{"a", "a", "b"}, &listener, 0};
    assert_int_equal(db_transaction(db, wake_then, &twice, &error), 0);
    heard_t heard = listen_for_a_second(&listener);
    assert_int_equal(heard.count, 2);
    assert_string_equal(heard.payloads[0], "a");
    assert_string_equal(heard.payloads[1], "b");

    waking_t rolled_back = {{"c", NULL, NULL}, &listener, 1};
    assert_int_equal(db_transaction(db, wake_then, &rolled_back, &error), 1);
    waking_t next = {{"d", NULL, NULL}, &listener, 0};
    assert_int_equal(db_transaction(db, wake_then, &next, &error), 0);
    heard = listen_for_a_second(&listener);
    assert_int_equal(heard.count, 1);
    assert_string_equal(heard.payloads[0], "d");

    assert_int_equal(db_wake_after_commit(db, WAKE_CHANNEL, "outside", &error), 0);
    heard = listen_for_a_second(&listener);
    assert_int_equal(heard.count, 1);
    assert_string_equal(heard.payloads[0], "outside");
    db_destroy(&other);
    test_db_close(&db, &url);
}

typedef struct {
    bool read_first;   /* a statement whose answer is read before the deferred ones */
} round_trip_tx_t;

static int deferred_then_wake(db_t *db, void *ctx, db_error_t *error)
{
    const round_trip_tx_t *tx = ctx;
    if (tx->read_first) {
        PGresult *r = db_exec(db, "SELECT count(*) FROM t", 0, NULL, error);
        if (!r)
            return -1;
        PQclear(r);
    }
    const char *values[] = {tx->read_first ? "r1" : "d1", tx->read_first ? "r2" : "d2"};
    if (db_defer(db, error) != 0)
        return -1;
    for (int i = 0; i < 2; i++)
        if (db_exec_ok(db, "INSERT INTO t (v) VALUES ($1)", 1, &values[i], error) != 0)
            return -1;
    return db_wake_after_commit(db, WAKE_CHANNEL, "trips", error);
}

/* One transaction of a function, for test_db_round_trips. */
typedef struct {
    db_t *db;
    db_tx_fn *fn;
    void *ctx;
} traced_tx_t;

static void run_transaction(void *ctx)
{
    traced_tx_t *tx = ctx;
    db_error_t error;
    assert_int_equal(db_transaction(tx->db, tx->fn, tx->ctx, &error), 0);
}

/* The times the server said it was ready for more during one transaction: its round trips. */
static int round_trips_of(db_t *db, db_tx_fn *fn, void *ctx)
{
    traced_tx_t tx = {db, fn, ctx};
    return test_db_round_trips(db, run_transaction, &tx);
}

/* BEGIN goes out with the first statement, and COMMIT with the deferred statements before it and
 * the wake-up after it: a transaction of deferred statements costs one round trip (it cost four:
 * BEGIN, the deferred ones, COMMIT, the wake-up), and one that reads first costs two. */
static void test_begin_and_commit_share_the_round_trips_of_the_statements(void **state)
{
    (void) state;
    char *url;
    db_t *db = open_db(&url);
    db_wakeup_t listener;
    db_t *other = open_listener(url, &listener);

    round_trip_tx_t deferred_only = {false}, read_first = {true};
    assert_int_equal(round_trips_of(db, deferred_then_wake, &deferred_only), 1);
    assert_int_equal(count(db), 2);
    heard_t heard = listen_for_a_second(&listener);
    assert_int_equal(heard.count, 1);
    assert_string_equal(heard.payloads[0], "trips");

    assert_int_equal(round_trips_of(db, deferred_then_wake, &read_first), 2);
    assert_int_equal(count(db), 4);
    heard = listen_for_a_second(&listener);
    assert_int_equal(heard.count, 1);
    db_destroy(&other);
    test_db_close(&db, &url);
}

/* A deferred insert, then an insert and a count answered together: the count sees both. */
typedef struct {
    const char *values[2];
    long counted;
} answered_tx_t;

static int insert_and_count_together(db_t *db, void *ctx, db_error_t *error)
{
    answered_tx_t *tx = ctx;
    tx->counted = -1;
    if (db_defer(db, error) != 0 || db_exec_ok(db, "INSERT INTO t (v) VALUES ($1)", 1, &tx->values[0], error) != 0)
        return -1;
    const db_statement_t statements[] = {
        {"INSERT INTO t (v) VALUES ($1) RETURNING v", 1, &tx->values[1]},
        {"SELECT count(*) FROM t", 0, NULL},
    };
    PGresult *answers[2] = {NULL, NULL};
    if (db_exec_all(db, statements, 2, answers, error) != 0) {
        assert_null(answers[0]);
        assert_null(answers[1]);
        return -1;
    }
    assert_string_equal(PQgetvalue(answers[0], 0, 0), tx->values[1]);
    tx->counted = strtol(PQgetvalue(answers[1], 0, 0), NULL, 10);
    PQclear(answers[0]);
    PQclear(answers[1]);
    return 0;
}

/* Statements whose answers are all read go out together with BEGIN and the deferred ones, each
 * seeing what the ones before it did; with the COMMIT that makes two round trips. A failure of
 * any (the deferred one's, or the first answered one's) is the call's, with no answer. */
static void test_statements_answered_together_cost_one_round_trip(void **state)
{
    (void) state;
    char *url;
    db_t *db = open_db(&url);
    answered_tx_t ok = {{"a", "b"}, 0};
    assert_int_equal(round_trips_of(db, insert_and_count_together, &ok), 2);
    assert_int_equal(ok.counted, 2);
    assert_int_equal(count(db), 2);

    db_error_t error = {"", ""};
    answered_tx_t deferred_fails = {{"a", "c"}, 0};
    assert_int_not_equal(db_transaction(db, insert_and_count_together, &deferred_fails, &error), 0);
    assert_string_equal(error.sqlstate, "23505");
    assert_int_equal(deferred_fails.counted, -1);
    answered_tx_t answered_fails = {{"d", "b"}, 0};
    memset(&error, 0, sizeof error);
    assert_int_not_equal(db_transaction(db, insert_and_count_together, &answered_fails, &error), 0);
    assert_string_equal(error.sqlstate, "23505");
    assert_int_equal(answered_fails.counted, -1);
    assert_int_equal(count(db), 2);

    /* outside a transaction, and again once the statements are prepared */
    db_prepare_statements(db);
    for (int round = 0; round < 2; round++) {
        const char *v[] = {round ? "f" : "e"};
        const db_statement_t statements[] = {
            {"INSERT INTO t (v) VALUES ($1)", 1, v},
            {"SELECT count(*) FROM t WHERE v = $1", 1, v},
        };
        PGresult *answers[2];
        assert_int_equal(db_exec_all(db, statements, 2, answers, &error), 0);
        assert_string_equal(PQgetvalue(answers[1], 0, 0), "1");
        PQclear(answers[0]);
        PQclear(answers[1]);
    }
    assert_int_equal(count(db), 4);
    test_db_close(&db, &url);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parameters_are_data_and_errors_carry_sqlstate),
        cmocka_unit_test(test_transaction_commits_or_rolls_back),
        cmocka_unit_test(test_deferred_statements_keep_order_and_fail_their_transaction),
        cmocka_unit_test(test_prepared_statements_are_prepared_once_and_again_after_reconnection),
        cmocka_unit_test(test_a_planned_statement_is_never_prepared_and_waits_for_deferred_ones),
        cmocka_unit_test(test_reconnects_after_the_connection_is_killed),
        cmocka_unit_test(test_a_statement_timeout_cancels_and_outlives_reconnection),
        cmocka_unit_test(test_index_plans_outlive_reconnection),
        cmocka_unit_test(test_generic_plans_after_index_plans_allow_every_scan),
        cmocka_unit_test(test_a_bounded_transaction_cancels_only_its_own_statements),
        cmocka_unit_test(test_a_wake_up_follows_the_commit_once_and_never_a_rollback),
        cmocka_unit_test(test_begin_and_commit_share_the_round_trips_of_the_statements),
        cmocka_unit_test(test_statements_answered_together_cost_one_round_trip),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
