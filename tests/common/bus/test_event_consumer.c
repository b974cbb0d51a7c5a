#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <czmq.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "envelope.h"
#include "event_consumer.h"
#include "event_log.h"
#include "test_db.h"

static char *url;
static db_t *db;
static atomic_int fail_next;   /* the handler fails this many times before succeeding */

static long scalar(const char *sql)
{
    db_error_t error;
    PGresult *r = db_exec(db, sql, 0, NULL, &error);
    assert_non_null(r);
    long n = strtol(PQgetvalue(r, 0, 0), NULL, 10);
    PQclear(r);
    return n;
}

static int setup(void **state)
{
    (void) state;
    db = test_db_open_migrated("consumer", &url);
    db_error_t error;
    PGresult *r = db ? db_exec(db, "CREATE TABLE work (event_id text NOT NULL, seq bigint NOT NULL)", 0, NULL, &error) : NULL;
    PQclear(r);
    return r ? 0 : -1;
}

static int teardown(void **state)
{
    (void) state;
    db_destroy(&db);
    test_db_drop(&url);
    return 0;
}

/* `count` events about `count` different reports, committed and numbered. */
static void append_events(int count, int offset)
{
    db_error_t error;
    for (int i = 0; i < count; i++) {
        char id[ENVELOPE_ID_MAX + 1], tracking[32];
        envelope_random_id(id);
        snprintf(tracking, sizeof tracking, "T-%06d", offset + i);
        unsigned char payload[] = {0x80};
        event_t e = {.id = id, .type = "test.work", .version = 1, .tracking_id = tracking, .actor_role = "system",
                     .payload = payload, .payload_size = 1};
        assert_int_equal(event_log_append(db, &e, &error), 0);
    }
    while (event_log_sequence(db, 1000, &error) > 0)
        ;
}

static int record(db_t *conn, const event_t *event, void *ctx, db_error_t *error)
{
    (void) ctx;
    if (atomic_load(&fail_next) > 0) {
        atomic_fetch_sub(&fail_next, 1);
        snprintf(error->message, sizeof error->message, "handler refused once");
        return -1;
    }
    char seq[32];
    snprintf(seq, sizeof seq, "%lld", (long long) event->seq);
    const char *params[] = {event->id, seq};
    PGresult *r = db_exec(conn, "INSERT INTO work (event_id, seq) VALUES ($1, $2)", 2, params, error);
    PQclear(r);
    return r ? 0 : -1;
}

static event_consumer_t *member(const char *group)
{
    event_consumer_config_t config = {.group = group, .db_url = url, .stream_endpoints = "", .replay_endpoints = "",
                                      .partitions = 8, .topic_prefix = "test.", .handler = record};
    char reason[200];
    event_consumer_t *c = event_consumer_new(&config, reason, sizeof reason);
    assert_non_null(c);
    return c;
}

static void run_until(event_consumer_t *c, const char *sql, long want, int max_ms)
{
    int64_t deadline = zclock_mono() + max_ms;
    while (scalar(sql) < want && zclock_mono() < deadline)
        event_consumer_run_once(c, 100);
    assert_true(scalar(sql) >= want);
}

static void test_one_member_does_each_event_once_and_retries_failures(void **state)
{
    (void) state;
    append_events(500, 0);
    atomic_store(&fail_next, 3);
    event_consumer_t *c = member("solo");
    run_until(c, "SELECT count(*) FROM work", 500, 20000);
    for (int i = 0; i < 5; i++)
        event_consumer_run_once(c, 100);  /* anything done twice would show now */
    assert_int_equal(scalar("SELECT count(*) FROM work"), 500);
    assert_int_equal(scalar("SELECT count(DISTINCT event_id) FROM work"), 500);
    assert_int_equal(event_consumer_partitions_owned(c), 8);
    assert_int_equal(scalar("SELECT min(seq) FROM consumer_positions WHERE group_name = 'solo'"),
                     scalar("SELECT last_seq FROM event_counter"));
    event_consumer_destroy(&c);
}

typedef struct {
    event_consumer_t *consumer;
    atomic_bool stop;
    pthread_t thread;
} runner_t;

static void *keep_running(void *arg)
{
    runner_t *r = arg;
    while (!atomic_load(&r->stop))
        event_consumer_run_once(r->consumer, 100);
    return NULL;
}

static void test_two_members_split_the_work_and_survive_a_death(void **state)
{
    (void) state;
    db_error_t error;
    PGresult *r = db_exec(db, "TRUNCATE work", 0, NULL, &error);
    PQclear(r);
    runner_t a = {member("pair"), false, 0}, b = {member("pair"), false, 0};
    pthread_create(&a.thread, NULL, keep_running, &a);
    pthread_create(&b.thread, NULL, keep_running, &b);
    int64_t deadline = zclock_mono() + 5000;
    while (!(event_consumer_partitions_owned(a.consumer) == 4 && event_consumer_partitions_owned(b.consumer) == 4)
           && zclock_mono() < deadline)
        zclock_sleep(50);
    assert_int_equal(event_consumer_partitions_owned(a.consumer), 4);
    assert_int_equal(event_consumer_partitions_owned(b.consumer), 4);
    /* the 500 events of the first test are work for this group too, plus 500 more */
    append_events(500, 500);
    zclock_sleep(300);
    atomic_store(&b.stop, true);
    pthread_join(b.thread, NULL);
    event_consumer_destroy(&b.consumer);   /* it leaves: session and locks go (kill -9: tests/fault) */
    deadline = zclock_mono() + 3000;
    while (event_consumer_partitions_owned(a.consumer) < 8 && zclock_mono() < deadline)
        zclock_sleep(50);
    assert_int_equal(event_consumer_partitions_owned(a.consumer), 8);
    deadline = zclock_mono() + 20000;
    while (scalar("SELECT count(*) FROM work") < 1000 && zclock_mono() < deadline)
        zclock_sleep(100);
    zclock_sleep(500);
    atomic_store(&a.stop, true);
    pthread_join(a.thread, NULL);
    assert_int_equal(scalar("SELECT count(*) FROM work"), 1000);
    assert_int_equal(scalar("SELECT count(DISTINCT event_id) FROM work"), 1000);
    assert_int_equal(scalar("SELECT min(seq) FROM consumer_positions WHERE group_name = 'pair'"), 1000);
    event_consumer_destroy(&a.consumer);
}

int main(void)
{
    zsys_init();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_one_member_does_each_event_once_and_retries_failures),
        cmocka_unit_test(test_two_members_split_the_work_and_survive_a_death),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
