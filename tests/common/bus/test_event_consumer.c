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
#include "subscribed.h"
#include "test_db.h"

static char *url;
static db_t *db;
static atomic_int fail_next;   /* the handler fails this many times before succeeding */

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
    test_db_close(&db, &url);
    return 0;
}

static void append_typed_event(char *tracking, char *type)
{
    db_error_t error;
    char id[ENVELOPE_ID_MAX + 1];
    envelope_random_id(id);
    unsigned char payload[] = {0x80};
    event_t e = {.id = id, .type = type, .version = 1, .tracking_id = tracking, .actor_role = "system",
                 .payload = payload, .payload_size = 1};
    assert_int_equal(event_log_append(db, &e, &error), 0);
}

static void append_event(char *tracking)
{
    append_typed_event(tracking, "test.work");
}

static void sequence_all(void)
{
    db_error_t error;
    while (event_log_sequence(db, 1000, &error) > 0)
        ;
}

/* `count` events about `count` different reports, committed and numbered. */
static void append_events(int count, int offset)
{
    for (int i = 0; i < count; i++) {
        char tracking[32];
        snprintf(tracking, sizeof tracking, "T-%06d", offset + i);
        append_event(tracking);
    }
    sequence_all();
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

static event_consumer_t *member_with(const char *group, event_handler_fn *handler, int run_max)
{
    event_consumer_config_t config = {.group = group, .db_url = url, .stream_endpoints = "", .replay_endpoints = "",
                                      .partitions = 8, .topic_prefix = "test.", .handler = handler,
                                      .run_max = run_max};
    char reason[200];
    event_consumer_t *c = event_consumer_new(&config, reason, sizeof reason);
    assert_non_null(c);
    return c;
}

static event_consumer_t *member(const char *group)
{
    return member_with(group, record, 0);
}

static void run_until(event_consumer_t *c, const char *sql, long want, int max_ms)
{
    int64_t deadline = zclock_mono() + max_ms;
    while (test_db_scalar(db, sql) < want && zclock_mono() < deadline)
        event_consumer_run_once(c, 100);
    assert_true(test_db_scalar(db, sql) >= want);
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
    assert_int_equal(test_db_scalar(db, "SELECT count(*) FROM work"), 500);
    assert_int_equal(test_db_scalar(db, "SELECT count(DISTINCT event_id) FROM work"), 500);
    assert_int_equal(event_consumer_partitions_owned(c), 8);
    assert_int_equal(test_db_scalar(db, "SELECT min(seq) FROM consumer_positions WHERE group_name = 'solo'"),
                     test_db_scalar(db, "SELECT last_seq FROM event_counter"));
    event_consumer_destroy(&c);
}

/* SIGTERM arriving while a run is handled: the handler sees it first. */
static int interrupted_meanwhile(db_t *conn, const event_t *event, void *ctx, db_error_t *error)
{
    (void) conn, (void) event, (void) ctx;
    zsys_interrupted = 1;
    snprintf(error->message, sizeof error->message, "stopping");
    return -1;
}

/* A run cut short by the service stopping is not a failing event: its events stay ahead of the
 * cursor for the next start, and no partition stalls on them. */
static void test_a_run_cut_short_by_a_stop_leaves_its_events_ahead(void **state)
{
    (void) state;
    long before = test_db_scalar(db, "SELECT count(*) FROM events");
    append_events(20, 900000);
    event_consumer_t *c = member_with("stopping", interrupted_meanwhile, 0);
    event_consumer_run_once(c, 100);
    zsys_interrupted = 0;
    assert_int_equal(event_consumer_lag(c), before + 20);
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
    while (test_db_scalar(db, "SELECT count(*) FROM work") < 1000 && zclock_mono() < deadline)
        zclock_sleep(100);
    zclock_sleep(500);
    atomic_store(&a.stop, true);
    pthread_join(a.thread, NULL);
    assert_int_equal(test_db_scalar(db, "SELECT count(*) FROM work"), 1000);
    assert_int_equal(test_db_scalar(db, "SELECT count(DISTINCT event_id) FROM work"), 1000);
    assert_int_equal(test_db_scalar(db, "SELECT min(seq) FROM consumer_positions WHERE group_name = 'pair'"), 1000);
    event_consumer_destroy(&a.consumer);
}

static void truncate_work(void)
{
    db_error_t error;
    PGresult *r = db_exec(db, "TRUNCATE work", 0, NULL, &error);
    assert_non_null(r);
    PQclear(r);
}

/* The run hook's view of the run being handled (the consumer's thread only). */
typedef struct {
    const event_t *events;
    size_t count;
    int calls;
    int fail_next;       /* the hook fails this many times before succeeding */
    long hooked;         /* events the hook was given in the calls that succeeded */
} run_seen_t;

static int see_run(db_t *conn, const event_t *events, size_t count, void *ctx, db_error_t *error)
{
    (void) conn;
    run_seen_t *seen = ctx;
    seen->events = NULL;
    if (seen->fail_next > 0) {
        seen->fail_next--;
        snprintf(error->message, sizeof error->message, "run hook refused once");
        return -1;
    }
    seen->events = events;
    seen->count = count;
    seen->hooked += (long) count;
    seen->calls++;
    return 0;
}

/* Only events of the run the hook was given, after the hook. */
static int record_seen(db_t *conn, const event_t *event, void *ctx, db_error_t *error)
{
    const run_seen_t *seen = ctx;
    if (!seen->events || event < seen->events || event >= seen->events + seen->count) {
        snprintf(error->message, sizeof error->message, "event %lld handled outside the hook's run",
                 (long long) event->seq);
        return -1;
    }
    return record(conn, event, NULL, error);
}

static void test_the_run_hook_sees_each_run_before_its_handler_and_its_failure_loses_nothing(void **state)
{
    (void) state;
    truncate_work();
    append_typed_event("T-OTHER", "other.work");   /* in the runs, but not the group's: the hook never sees it */
    append_events(300, 3000);
    run_seen_t seen = {.fail_next = 2};
    event_consumer_config_t config = {.group = "hooked", .db_url = url, .stream_endpoints = "", .replay_endpoints = "",
                                      .partitions = 8, .topic_prefix = "test.", .handler = record_seen,
                                      .run_start = see_run, .handler_ctx = &seen, .run_max = 50};
    char reason[200];
    event_consumer_t *c = event_consumer_new(&config, reason, sizeof reason);
    assert_non_null(c);
    /* a new group: the earlier tests' events too */
    long logged = test_db_scalar(db, "SELECT count(*) FROM events WHERE type LIKE 'test.%'");
    run_until(c, "SELECT count(*) FROM work", logged, 20000);
    for (int i = 0; i < 3; i++)
        event_consumer_run_once(c, 100);
    assert_int_equal(test_db_scalar(db, "SELECT count(*) FROM work"), logged);
    assert_int_equal(test_db_scalar(db, "SELECT count(DISTINCT event_id) FROM work"), logged);
    assert_true(seen.calls >= logged / 50);
    assert_int_equal(seen.fail_next, 0);
    assert_int_equal(seen.hooked, logged);   /* exactly the events handled, each once */
    event_consumer_destroy(&c);
}

static atomic_bool poisoned = true;   /* while set, the handler fails every event of "T-POISON" */

static int record_unless_poison(db_t *conn, const event_t *event, void *ctx, db_error_t *error)
{
    if (atomic_load(&poisoned) && strcmp(event->tracking_id, "T-POISON") == 0) {
        snprintf(error->message, sizeof error->message, "poison");
        return -1;
    }
    return record(conn, event, ctx, error);
}

/* One event that always fails, in the middle of runs: every other event is done once, the events
 * of the poisoned report after it wait in order, and once cured all of them are done once. */
static void test_a_poison_event_neither_blocks_nor_skips_the_others(void **state)
{
    (void) state;
    truncate_work();
    for (int i = 0; i < 300; i++) {
        char tracking[32];
        snprintf(tracking, sizeof tracking, "%s", i == 100 || i == 200 ? "T-POISON" : "P-");
        if (i != 100 && i != 200)
            snprintf(tracking, sizeof tracking, "P-%06d", i);
        append_event(tracking);
    }
    sequence_all();
    long head = test_db_scalar(db, "SELECT last_seq FROM event_counter");
    event_consumer_t *c = member_with("poison", record_unless_poison, 64);
    long poison = test_db_scalar(db, "SELECT min(seq) FROM events WHERE tracking_id = 'T-POISON'");
    run_until(c, "SELECT max(seq) FROM consumer_positions WHERE group_name = 'poison'", head, 20000);
    for (int i = 0; i < 5; i++)
        event_consumer_run_once(c, 100);
    /* before it: all done; after it: the other partitions' events done, its own wait */
    assert_int_equal(test_db_scalar(db, "SELECT count(*) FROM work WHERE seq < (SELECT min(seq) FROM events "
                            "WHERE tracking_id = 'T-POISON')"), poison - 1);
    long after = test_db_scalar(db, "SELECT count(*) FROM work WHERE seq > (SELECT min(seq) FROM events "
                        "WHERE tracking_id = 'T-POISON')");
    assert_true(after > (head - poison) / 2 && after < head - poison);
    assert_int_equal(test_db_scalar(db, "SELECT count(*) - count(DISTINCT event_id) FROM work"), 0);
    assert_int_equal(test_db_scalar(db, "SELECT count(*) FROM work w JOIN events e ON e.event_id = w.event_id "
                            "WHERE e.tracking_id = 'T-POISON'"), 0);
    assert_true(test_db_scalar(db, "SELECT min(seq) FROM consumer_positions WHERE group_name = 'poison'") < poison);
    atomic_store(&poisoned, false);
    run_until(c, "SELECT count(*) FROM work", head, 10000);
    for (int i = 0; i < 5; i++)
        event_consumer_run_once(c, 100);
    assert_int_equal(test_db_scalar(db, "SELECT count(*) FROM work"), head);
    assert_int_equal(test_db_scalar(db, "SELECT count(DISTINCT event_id) FROM work"), head);
    assert_int_equal(test_db_scalar(db, "SELECT min(seq) FROM consumer_positions WHERE group_name = 'poison'"), head);
    event_consumer_destroy(&c);
}

static atomic_llong block_at;        /* the handler waits at this seq until released */
static atomic_bool blocked, released;

static int record_or_wait(db_t *conn, const event_t *event, void *ctx, db_error_t *error)
{
    if (event->seq == atomic_load(&block_at)) {
        atomic_store(&blocked, true);
        for (int64_t until = zclock_mono() + 10000; !atomic_load(&released) && zclock_mono() < until;)
            zclock_sleep(10);
    }
    return record(conn, event, ctx, error);
}

/* A member whose session dies in the middle of a run (its transaction rolls back, its partitions
 * go): the member that takes over replays the run, and nothing is done twice. */
static void test_a_takeover_mid_run_replays_without_duplicates(void **state)
{
    (void) state;
    truncate_work();
    append_events(400, 2000);
    long head = test_db_scalar(db, "SELECT last_seq FROM event_counter");
    atomic_store(&block_at, head - 130);
    runner_t a = {member_with("takeover", record_or_wait, 50), false, 0};
    pthread_create(&a.thread, NULL, keep_running, &a);
    int64_t deadline = zclock_mono() + 20000;
    while (!atomic_load(&blocked) && zclock_mono() < deadline)
        zclock_sleep(10);
    assert_true(atomic_load(&blocked));
    long done_before = test_db_scalar(db, "SELECT count(*) FROM work");
    assert_true(done_before < head - 131);   /* the run holding the blocked event is not committed */
    assert_int_equal(test_db_scalar(db, "SELECT count(pg_terminate_backend(pid)) FROM pg_locks WHERE locktype = 'advisory' "
                            "AND objsubid = 2 AND classid = (hashtext('takeover')::bigint & 4294967295)::oid "
                            "GROUP BY pid"), 8);
    atomic_store(&block_at, 0);
    runner_t b = {member_with("takeover", record_or_wait, 50), false, 0};
    pthread_create(&b.thread, NULL, keep_running, &b);
    atomic_store(&released, true);
    deadline = zclock_mono() + 20000;
    while (test_db_scalar(db, "SELECT count(*) FROM work") < head && zclock_mono() < deadline)
        zclock_sleep(100);
    zclock_sleep(1000);
    atomic_store(&a.stop, true);
    atomic_store(&b.stop, true);
    pthread_join(a.thread, NULL);
    pthread_join(b.thread, NULL);
    assert_int_equal(test_db_scalar(db, "SELECT count(*) FROM work"), head);
    assert_int_equal(test_db_scalar(db, "SELECT count(DISTINCT event_id) FROM work"), head);
    assert_int_equal(test_db_scalar(db, "SELECT min(seq) FROM consumer_positions WHERE group_name = 'takeover'"), head);
    event_consumer_destroy(&a.consumer);
    event_consumer_destroy(&b.consumer);
}

/* One event of a fake hub's stream, seq `seq`, id "stream-<seq>" (the log holds others there). */
static void publish_fake(zsock_t *pub, int64_t seq)
{
    char id[32], type[] = "test.work", tracking[] = "T-stream", role[] = "system";
    snprintf(id, sizeof id, "stream-%lld", (long long) seq);
    unsigned char payload[] = {0x80};
    event_t e = {.seq = seq, .prev = seq - 1, .id = id, .type = type, .version = 1, .tracking_id = tracking,
                 .actor_role = role, .payload = payload, .payload_size = 1};
    unsigned char *bytes;
    size_t size;
    assert_int_equal(event_encode(&e, &bytes, &size), 0);
    zmsg_t *msg = zmsg_new();
    zmsg_addstr(msg, type);
    zmsg_addmem(msg, bytes, size);
    free(bytes);
    assert_int_equal(zmsg_send(&msg, pub), 0);
}

/* A member that heard nothing for longer than hub_silence_ms (a paused process, a long run) while
 * the hub's events piled up in its queue reads them from the stream: it used to take the hub for
 * gone and read the whole backlog from the log itself, while its queue filled with what it then
 * dropped. The fake hub's events carry ids the log does not have, so the work says where each
 * event came from. */
static void test_events_waiting_in_the_queue_are_read_though_the_hub_was_silent(void **state)
{
    (void) state;
    truncate_work();
    append_events(3, 3000);   /* what the log would give instead */
    char endpoint[128];
    snprintf(endpoint, sizeof endpoint, "ipc:///tmp/aduan-consumer-waiting-%d", getpid());
    zsock_t *pub = zsock_new_xpub(endpoint);
    assert_non_null(pub);
    event_consumer_config_t config = {.group = "waiting", .db_url = url, .stream_endpoints = endpoint,
                                      .replay_endpoints = "", .partitions = 8, .topic_prefix = "test.",
                                      .handler = record, .hub_silence_ms = 200};
    char reason[200];
    event_consumer_t *c = event_consumer_new(&config, reason, sizeof reason);
    assert_non_null(c);
    wait_subscribed(pub);
    for (int64_t seq = 1; seq <= 3; seq++)
        publish_fake(pub, seq);
    zclock_sleep(400);   /* queued, and silent for longer than hub_silence_ms: nothing was read */
    run_until(c, "SELECT count(*) FROM work", 3, 5000);
    assert_int_equal(test_db_scalar(db, "SELECT count(*) FROM work WHERE event_id LIKE 'stream-%'"), 3);
    event_consumer_destroy(&c);
    zsock_destroy(&pub);
}

typedef struct {
    zsock_t *pub;
    int64_t from, to;
    int gap_ms;
} trickle_t;

/* The fake hub's events from..to, gap_ms apart: a live flow slower than a millisecond an event. */
static void *trickle(void *arg)
{
    const trickle_t *t = arg;
    for (int64_t seq = t->from; seq <= t->to; seq++) {
        zclock_sleep(t->gap_ms);
        publish_fake(t->pub, seq);
    }
    return NULL;
}

/* Live events a few milliseconds apart make one run, not one run each: a run's transaction costs
 * about as much for one event as for dozens, and under a steady flow each used to carry two or
 * three. */
static void test_live_events_within_the_linger_make_one_run(void **state)
{
    (void) state;
    truncate_work();
    char endpoint[128];
    snprintf(endpoint, sizeof endpoint, "ipc:///tmp/aduan-consumer-linger-%d", getpid());
    zsock_t *pub = zsock_new_xpub(endpoint);
    assert_non_null(pub);
    run_seen_t seen = {0};
    event_consumer_config_t config = {.group = "linger", .db_url = url, .stream_endpoints = endpoint,
                                      .replay_endpoints = "", .partitions = 8, .topic_prefix = "test.",
                                      .handler = record_seen, .run_start = see_run, .handler_ctx = &seen,
                                      .linger_ms = 300};
    char reason[200];
    event_consumer_t *c = event_consumer_new(&config, reason, sizeof reason);
    assert_non_null(c);
    wait_subscribed(pub);
    publish_fake(pub, 1);
    zclock_sleep(50);   /* waiting in the member's queue: it reads the stream, not the log */
    trickle_t rest = {.pub = pub, .from = 2, .to = 6, .gap_ms = 20};
    pthread_t publisher;
    assert_int_equal(pthread_create(&publisher, NULL, trickle, &rest), 0);
    event_consumer_run_once(c, 1000);
    pthread_join(publisher, NULL);
    assert_int_equal(test_db_scalar(db, "SELECT count(*) FROM work WHERE event_id LIKE 'stream-%'"), 6);
    assert_int_equal(seen.calls, 1);
    assert_int_equal(seen.hooked, 6);
    event_consumer_destroy(&c);
    zsock_destroy(&pub);
}

static atomic_int idle_calls;

static void count_idle(void *ctx)
{
    (void) ctx;
    atomic_fetch_add(&idle_calls, 1);
}

/* After a burst the member tells its handler it is idle, so that the handler's caches go before the
 * heap's free pages are given back (a cache made during the burst keeps pages of it resident); never
 * while the work goes on. */
static void test_an_idle_member_lets_its_handler_drop_caches_after_a_burst(void **state)
{
    (void) state;
    truncate_work();
    append_events(1000, 30000);
    atomic_store(&idle_calls, 0);
    event_consumer_config_t config = {.group = "idle", .db_url = url, .stream_endpoints = "", .replay_endpoints = "",
                                      .partitions = 8, .topic_prefix = "test.", .handler = record,
                                      .idle = count_idle};
    char reason[200];
    event_consumer_t *c = event_consumer_new(&config, reason, sizeof reason);
    assert_non_null(c);
    run_until(c, "SELECT count(*) FROM work", 1000, 30000);
    assert_int_equal(atomic_load(&idle_calls), 0);
    int64_t quiet_until = zclock_mono() + 3000;   /* the member's quiet spell is 2 s */
    while (zclock_mono() < quiet_until)
        event_consumer_run_once(c, 100);
    assert_true(atomic_load(&idle_calls) >= 1);
    event_consumer_destroy(&c);
}

int main(void)
{
    zsys_init();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_one_member_does_each_event_once_and_retries_failures),
        cmocka_unit_test(test_two_members_split_the_work_and_survive_a_death),
        cmocka_unit_test(test_a_poison_event_neither_blocks_nor_skips_the_others),
        cmocka_unit_test(test_a_takeover_mid_run_replays_without_duplicates),
        cmocka_unit_test(test_a_run_cut_short_by_a_stop_leaves_its_events_ahead),
        cmocka_unit_test(test_the_run_hook_sees_each_run_before_its_handler_and_its_failure_loses_nothing),
        cmocka_unit_test(test_events_waiting_in_the_queue_are_read_though_the_hub_was_silent),
        cmocka_unit_test(test_live_events_within_the_linger_make_one_run),
        cmocka_unit_test(test_an_idle_member_lets_its_handler_drop_caches_after_a_burst),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
