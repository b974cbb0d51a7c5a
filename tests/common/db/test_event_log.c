#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db_wakeup.h"
#include "envelope.h"
#include "event_log.h"
#include "test_db.h"

static char *url;
static db_t *db;
static char report_id[32];

static int setup(void **state)
{
    (void) state;
    db = test_db_open_migrated("eventlog", &url);
    if (!db)
        return -1;
    db_error_t error;
    PGresult *r = db_exec(db, "INSERT INTO reports (tracking_id, classification, title, body, category_code, region_code, "
                              "anonymous, confidential, channel, status, reporter_token_hash) VALUES ('AAAA-AAAA-AAAA', "
                              "'complaint', 't', 'b', 'PU', '21', false, false, 'web', 'waiting_verification', "
                              "repeat('0', 64)) RETURNING id", 0, NULL, &error);
    if (!r)
        return -1;
    snprintf(report_id, sizeof report_id, "%s", PQgetvalue(r, 0, 0));
    PQclear(r);
    return 0;
}

static int teardown(void **state)
{
    (void) state;
    test_db_close(&db, &url);
    return 0;
}

static void make_event(event_t *e, const char *type)
{
    char id[ENVELOPE_ID_MAX + 1];
    envelope_random_id(id);
    memset(e, 0, sizeof *e);
    e->id = strdup(id);
    e->type = strdup(type);
    e->version = 1;
    e->report_id = strtoll(report_id, NULL, 10);
    e->tracking_id = strdup("AAAA-AAAA-AAAA");
    e->actor_role = strdup("system");
    e->payload = malloc(1);
    e->payload[0] = 0x80;  /* {} */
    e->payload_size = 1;
}

static db_t *connect_new(void)
{
    db_t *c = db_new(url);
    db_error_t error;
    assert_int_equal(db_connect(c, 5000, &error), 0);
    return c;
}

static void sql(db_t *c, const char *statement)
{
    db_error_t error;
    PGresult *r = db_exec(c, statement, 0, NULL, &error);
    assert_non_null(r);
    PQclear(r);
}

static void append(db_t *c, const char *type)
{
    event_t e;
    db_error_t error;
    make_event(&e, type);
    assert_int_equal(event_log_append(c, &e, &error), 0);
    event_clear(&e);
}

static int64_t head(void)
{
    db_error_t error;
    return event_log_head(db, &error);
}

static int append_then_prepare(db_t *c, void *ctx, db_error_t *error)
{
    (void) ctx;
    append(c, "test.prepared");
    /* PostgreSQL refuses to prepare a transaction that has sent a NOTIFY (0A000). */
    PGresult *r = db_exec(c, "PREPARE TRANSACTION 'aduan-test-append'", 0, NULL, error);
    PQclear(r);
    return r ? 0 : -1;
}

/* A NOTIFY inside the append's transaction would make its commit wait, holding the database's one
 * notify lock, for the flush of every other notifying commit before it: every service appends. The
 * wake-up goes after the commit, in a transaction of its own (db_wake_after_commit). */
static void test_appending_sends_its_wake_up_after_the_transaction(void **state)
{
    (void) state;
    db_error_t error;
    db_t *writer = connect_new();
    db_t *other = connect_new();
    db_wakeup_t listener = {other, EVENT_LOG_CHANNEL, 0};
    struct pollfd fd = {.fd = db_wakeup_fd(&listener), .events = POLLIN};
    assert_true(fd.fd >= 0);
    int64_t before = (int64_t) test_db_scalar(db, "SELECT count(*) FROM events WHERE type = 'test.prepared'");
    int rc = db_transaction(writer, append_then_prepare, NULL, &error);
    assert_int_equal(rc, 0);
    sql(db, "COMMIT PREPARED 'aduan-test-append'");
    assert_int_equal(test_db_scalar(db, "SELECT count(*) FROM events WHERE type = 'test.prepared'"), before + 1);
    assert_true(poll(&fd, 1, 2000) > 0);
    assert_true(db_wakeup_drain(&listener, NULL, NULL));
    db_destroy(&other);
    db_destroy(&writer);
}

/* The trap of DESIGN.md: A takes the lower id but commits after B. */
static void test_late_commit_is_numbered_after_and_never_skipped(void **state)
{
    (void) state;
    db_error_t error;
    int64_t start = head();
    db_t *a = connect_new(), *b = connect_new();
    sql(a, "BEGIN");
    append(a, "test.a");               /* takes the lower id, stays open */
    sql(b, "BEGIN");
    append(b, "test.b");
    sql(b, "COMMIT");
    assert_int_equal(event_log_sequence(db, 100, &error), 1);   /* only B is visible */
    sql(a, "COMMIT");
    assert_int_equal(event_log_sequence(db, 100, &error), 1);   /* A, now visible, comes next */
    event_batch_t batch;
    assert_int_equal(event_log_read(db, start, "", 10, &batch, &error), 0);
    assert_int_equal(batch.count, 2);
    assert_string_equal(batch.items[0].type, "test.b");
    assert_int_equal(batch.items[0].seq, start + 1);
    assert_string_equal(batch.items[1].type, "test.a");
    assert_int_equal(batch.items[1].seq, start + 2);
    assert_int_equal(batch.items[1].prev, start + 1);
    assert_int_equal(batch.head, start + 2);
    event_batch_clear(&batch);
    db_destroy(&a);
    db_destroy(&b);
}

static void test_rolled_back_events_are_never_seen(void **state)
{
    (void) state;
    db_error_t error;
    int64_t start = head();
    db_t *a = connect_new();
    sql(a, "BEGIN");
    append(a, "test.rolled_back");
    assert_int_equal(event_log_sequence(db, 100, &error), 0);
    sql(a, "ROLLBACK");
    assert_int_equal(event_log_sequence(db, 100, &error), 0);
    event_batch_t batch;
    assert_int_equal(event_log_read(db, start, "", 10, &batch, &error), 0);
    assert_int_equal(batch.count, 0);
    event_batch_clear(&batch);
    db_destroy(&a);
}

/* The counter row's version and its locker, as text. */
static char *counter_version(void)
{
    db_error_t error = {"", ""};
    char *value = NULL;
    if (db_query_value(db, "SELECT ctid::text || ' ' || xmin::text || ' ' || xmax::text FROM event_counter", 0, NULL,
                       &value, &error) != 0 || !value)
        fail_msg("event_counter: %s", error.message);
    return value;
}

/* A call that finds nothing to number (the hub's poll while the system is idle) leaves the counter
 * as it was, neither rewritten nor locked: a transaction that writes nothing commits without
 * waiting for a WAL flush, four times a second. One that numbers moves it as before. */
static void test_numbering_nothing_leaves_the_counter_alone(void **state)
{
    (void) state;
    db_error_t error = {"", ""};
    while (event_log_sequence(db, 1000, &error) > 0)
        ;
    int64_t start = head();
    char *before = counter_version();
    assert_int_equal(event_log_sequence(db, 100, &error), 0);
    assert_int_equal(event_log_sequence(db, 100, &error), 0);
    char *after = counter_version();
    assert_string_equal(after, before);
    append(db, "test.after_nothing");
    assert_int_equal(event_log_sequence(db, 100, &error), 1);
    assert_int_equal(head(), start + 1);
    free(before);
    free(after);
}

/* An event that could not be built is not appended, and says why; either way the event is cleared.
 * Rolled back, so that the other cases' counts stay theirs. */
static void test_an_event_appended_as_built_is_cleared_either_way(void **state)
{
    (void) state;
    db_error_t error = {"", ""};
    db_t *a = connect_new();
    sql(a, "BEGIN");
    int64_t before = (int64_t) test_db_scalar(a, "SELECT count(*) FROM events");
    event_t e;
    make_event(&e, "test.not_built");
    assert_int_equal(event_log_append_built(a, -1, &e, &error), -1);
    assert_string_equal(error.message, "the event could not be built");
    assert_null(e.type);
    make_event(&e, "test.built");
    assert_int_equal(event_log_append_built(a, 0, &e, &error), 0);
    assert_null(e.type);
    assert_int_equal(test_db_scalar(a, "SELECT count(*) FROM events"), before + 1);
    assert_int_equal(test_db_scalar(a, "SELECT count(*) FROM events WHERE type = 'test.built'"), 1);
    sql(a, "ROLLBACK");
    db_destroy(&a);
}

static void test_prefix_filter(void **state)
{
    (void) state;
    db_error_t error;
    int64_t start = head();
    append(db, "report.one");
    append(db, "other.two");
    append(db, "report.three");
    event_log_sequence(db, 100, &error);
    event_batch_t batch;
    assert_int_equal(event_log_read(db, start, "report.", 10, &batch, &error), 0);
    assert_int_equal(batch.count, 2);
    assert_string_equal(batch.items[1].type, "report.three");
    event_batch_clear(&batch);
    assert_int_equal(event_log_read(db, start, "%", 10, &batch, &error), 0);  /* no LIKE wildcards */
    assert_int_equal(batch.count, 0);
    event_batch_clear(&batch);
}

/* A reader far behind the head (the hub after a stop, a member reading the log) must not pay for
 * everything after its position: with the statistics knowing the events, the prefix test made the
 * planner sort all 6 000 to return 100. Counted in the read's own transaction, parallel workers off
 * so that every row read is this backend's. */
static void test_a_read_of_every_topic_touches_only_the_events_it_returns(void **state)
{
    (void) state;
    db_error_t error;
    int64_t start = head();
    char insert[400];
    snprintf(insert, sizeof insert,
             "INSERT INTO events (event_id, type, schema_version, report_id, tracking_id, actor_role, payload) "
             "SELECT 'bulk-' || n, 'report.bulk', 1, %s, 'AAAA-AAAA-AAAA', 'system', '\\x80' "
             "FROM generate_series(1, 6000) n", report_id);
    sql(db, insert);
    assert_int_equal(event_log_sequence(db, 10000, &error), 6000);
    sql(db, "ANALYZE events");
    sql(db, "BEGIN");
    sql(db, "SET LOCAL max_parallel_workers_per_gather = 0");
    static const char ROWS_READ[] = "SELECT seq_tup_read + coalesce(idx_tup_fetch, 0) FROM pg_stat_xact_user_tables "
                                    "WHERE relname = 'events'";
    int64_t before = test_db_scalar(db, ROWS_READ);   /* what the session read before, not yet flushed */
    event_batch_t batch;
    assert_int_equal(event_log_read(db, start + 10, "", 100, &batch, &error), 0);
    int64_t rows_read = test_db_scalar(db, ROWS_READ) - before;
    sql(db, "COMMIT");
    assert_int_equal(batch.count, 100);
    assert_int_equal(batch.items[0].seq, start + 11);
    assert_int_equal(batch.items[99].seq, start + 110);
    assert_int_equal(batch.head, start + 6000);
    event_batch_clear(&batch);
    assert_in_range(rows_read, 100, 110);
}

/* Rows of events read by index or sequentially so far, as the statistics hold them once `c` and
 * the test's own connection have flushed their counts. */
static int64_t events_rows_read(db_t *c)
{
    sql(c, "SELECT pg_stat_force_next_flush()");
    sql(db, "SELECT pg_stat_force_next_flush()");
    return test_db_scalar(db, "SELECT seq_tup_read + coalesce(idx_tup_fetch, 0) FROM pg_stat_user_tables "
                      "WHERE relname = 'events'");
}

static void insert_unnumbered(const char *name, int count)
{
    char insert[400];
    snprintf(insert, sizeof insert,
             "INSERT INTO events (event_id, type, schema_version, report_id, tracking_id, actor_role, payload) "
             "SELECT '%s-' || n, 'report.bulk', 1, %s, 'AAAA-AAAA-AAAA', 'system', '\\x80' "
             "FROM generate_series(1, %d) n", name, report_id, count);
    sql(db, insert);
}

/* A backlog of unnumbered events (the hub stopped while writers went on) must be numbered a batch
 * at a time, each batch costing its own size. The statistics, taken when 300 waited, do not know
 * the 6 000 more; the planner then expected fewer than a batch and took all 6 300 by a bitmap scan
 * and a sort to number 1 000. */
static void test_numbering_a_batch_touches_only_that_batch(void **state)
{
    (void) state;
    db_error_t error;
    insert_unnumbered("known", 300);
    sql(db, "ANALYZE events");
    insert_unnumbered("backlog", 6000);
    db_t *hub = connect_new();
    sql(hub, "SET max_parallel_workers_per_gather = 0");   /* every row read is counted as the hub's */
    int64_t before = events_rows_read(hub);
    assert_int_equal(event_log_sequence(hub, 1000, &error), 1000);
    int64_t rows_read = events_rows_read(hub) - before;
    assert_in_range(rows_read, 1000, 2200);   /* the batch by the partial index, then each row by key */
    assert_int_equal(event_log_sequence(hub, 10000, &error), 5300);
    db_destroy(&hub);
}

enum { WRITERS = 4, PER_WRITER = 500 };
static atomic_int writers_done;

static void *writer(void *arg)
{
    (void) arg;
    db_t *c = connect_new();
    for (int i = 0; i < PER_WRITER; i++) {
        sql(c, "BEGIN");
        append(c, "test.concurrent");
        sql(c, "COMMIT");
    }
    db_destroy(&c);
    atomic_fetch_add(&writers_done, 1);
    return NULL;
}

static void *sequencer(void *arg)
{
    (void) arg;
    db_t *c = connect_new();
    db_error_t error;
    while (atomic_load(&writers_done) < WRITERS)
        assert_true(event_log_sequence(c, 50, &error) >= 0);
    while (event_log_sequence(c, 500, &error) > 0)
        ;
    db_destroy(&c);
    return NULL;
}

static void test_concurrent_writers_and_sequencers_give_a_dense_order(void **state)
{
    (void) state;
    db_error_t error;
    int64_t start = head();
    pthread_t threads[WRITERS + 2];
    for (int i = 0; i < WRITERS; i++)
        pthread_create(&threads[i], NULL, writer, NULL);
    for (int i = 0; i < 2; i++)
        pthread_create(&threads[WRITERS + i], NULL, sequencer, NULL);
    for (int i = 0; i < WRITERS + 2; i++)
        pthread_join(threads[i], NULL);
    event_log_sequence(db, 5000, &error);
    int64_t expected = start + 1, total = 0;
    for (;;) {
        event_batch_t batch;
        assert_int_equal(event_log_read(db, expected - 1, "", 1000, &batch, &error), 0);
        if (batch.count == 0) {
            event_batch_clear(&batch);
            break;
        }
        for (size_t i = 0; i < batch.count; i++)
            assert_int_equal(batch.items[i].seq, expected++);
        total += (int64_t) batch.count;
        event_batch_clear(&batch);
    }
    assert_int_equal(total, WRITERS * PER_WRITER);
    assert_int_equal(head(), start + WRITERS * PER_WRITER);
    PGresult *r = db_exec(db, "SELECT count(*) FROM events WHERE seq IS NULL", 0, NULL, &error);
    assert_string_equal(PQgetvalue(r, 0, 0), "0");
    PQclear(r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_late_commit_is_numbered_after_and_never_skipped),
        cmocka_unit_test(test_rolled_back_events_are_never_seen),
        cmocka_unit_test(test_numbering_nothing_leaves_the_counter_alone),
        cmocka_unit_test(test_appending_sends_its_wake_up_after_the_transaction),
        cmocka_unit_test(test_prefix_filter),
        cmocka_unit_test(test_an_event_appended_as_built_is_cleared_either_way),
        cmocka_unit_test(test_a_read_of_every_topic_touches_only_the_events_it_returns),
        cmocka_unit_test(test_numbering_a_batch_touches_only_that_batch),
        cmocka_unit_test(test_concurrent_writers_and_sequencers_give_a_dense_order),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
