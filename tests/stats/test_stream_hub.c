#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <czmq.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "event_log.h"
#include "stream_hub.h"
#include "test_db.h"

static char *url;
static db_t *db;
static char endpoint[128];

static int setup(void **state)
{
    (void) state;
    db = test_db_open_migrated("streamhub", &url);
    snprintf(endpoint, sizeof endpoint, "ipc:///tmp/aduan-hub-test-%d", getpid());
    return db ? 0 : -1;
}

static int teardown(void **state)
{
    (void) state;
    test_db_close(&db, &url);
    return 0;
}

/* `count` committed, unnumbered events without a report (the log allows it), named by the test
 * and their order. */
static void append_backlog(const char *test, int count)
{
    char insert[400];
    snprintf(insert, sizeof insert,
             "INSERT INTO events (event_id, type, schema_version, tracking_id, actor_role, payload) "
             "SELECT '%s-' || n, 'test.e' || n, 1, '%s-' || n, 'system', '\\x80' "
             "FROM generate_series(1, %d) n ORDER BY n", test, test, count);
    db_error_t error;
    PGresult *r = db_exec(db, insert, 0, NULL, &error);
    assert_non_null(r);
    PQclear(r);
}

/* The seq of the next event on the stream (heartbeats skipped), or -1 after a second of nothing. */
static int64_t next_seq(zsock_t *sub)
{
    zpoller_t *poller = zpoller_new(sub, NULL);
    int64_t seq = -1;
    while (seq < 0 && zpoller_wait(poller, 1000)) {
        zmsg_t *msg = zmsg_recv(sub);
        char *topic = zmsg_popstr(msg);
        zframe_t *body = zmsg_pop(msg);
        event_t e;
        char reason[200];
        if (strcmp(topic, EVENT_HEARTBEAT_TOPIC) != 0
            && event_decode(zframe_data(body), zframe_size(body), &e, reason, sizeof reason) == 0) {
            seq = e.seq;
            event_clear(&e);
        }
        free(topic);
        zframe_destroy(&body);
        zmsg_destroy(&msg);
    }
    zpoller_destroy(&poller);
    return seq;
}

/* A hub on the test's connection, publishing plainly at `endpoint`. */
static stream_hub_t *new_hub(void)
{
    char reason[200];
    stream_hub_t *hub = stream_hub_new(db, endpoint, NULL, 1000, reason, sizeof reason);
    if (!hub)
        fail_msg("%s", reason);
    return hub;
}

/* A backlog (the hub was stopped while the services wrote) goes out one batch a call, so that
 * aduan-stats answers the replays asked meanwhile between two batches; all of it dense and in order. */
static void test_a_backlog_is_published_one_batch_a_call(void **state)
{
    (void) state;
    stream_hub_t *hub = new_hub();
    zsock_t *sub = zsock_new_sub(endpoint, "");
    assert_non_null(sub);
    zsock_set_rcvhwm(sub, 10000);
    zclock_sleep(200);   /* the subscription reaches the hub before anything is published */
    bool more = true;
    assert_int_equal(stream_hub_catch_up(hub, &more), 0);   /* the live stream starts at the head */
    assert_false(more);
    append_backlog("backlog", 2500);
    assert_int_equal(stream_hub_catch_up(hub, &more), 1000);
    assert_true(more);
    assert_int_equal(stream_hub_catch_up(hub, &more), 1000);
    assert_true(more);
    assert_int_equal(stream_hub_catch_up(hub, &more), 500);
    assert_false(more);
    assert_int_equal(stream_hub_published(hub), 2500);
    for (int64_t seq = 1; seq <= 2500; seq++)
        assert_int_equal(next_seq(sub), seq);
    zsock_destroy(&sub);
    stream_hub_destroy(&hub);
}

/* Under a flow each wake-up finds a few events: a part batch leaves nothing committed behind it, so
 * the hub waits for the next wake-up. Calling again at once numbered nothing in a transaction of its
 * own that wrote the counter and flushed WAL: nearly half of the hub's transactions at 1 150
 * submissions a second (stop 56). */
static void test_a_part_batch_asks_for_no_second_call(void **state)
{
    (void) state;
    stream_hub_t *hub = new_hub();
    bool more = true;
    while (stream_hub_catch_up(hub, &more) > 0 && more)
        ;
    append_backlog("flow", 3);
    assert_int_equal(stream_hub_catch_up(hub, &more), 3);
    assert_false(more);
    stream_hub_destroy(&hub);
}

/* The statements of the connection, prepared, whose text contains `part`. */
static int prepared_like(const char *part)
{
    const char *params[] = {part};
    db_error_t error;
    PGresult *r = db_exec(db, "SELECT count(*) FROM pg_prepared_statements WHERE strpos(statement, $1) > 0", 1,
                          params, &error);
    assert_non_null(r);
    int count = atoi(PQgetvalue(r, 0, 0));
    PQclear(r);
    return count;
}

/* Numbering and reading run hundreds of times a second under load: planned at every call, their
 * planning took longer than their execution (submit_bench at stop 31: 1.1 s against 0.6 s of
 * 20 s at 400 submissions a second). They must run prepared. */
static void test_the_hub_prepares_its_numbering_and_its_read(void **state)
{
    (void) state;
    stream_hub_t *hub = new_hub();
    append_backlog("prepared", 10);
    bool more = true;
    while (stream_hub_catch_up(hub, &more) > 0 && more)
        ;
    assert_int_equal(prepared_like("UPDATE event_counter SET last_seq"), 1);
    assert_int_equal(prepared_like("FROM events WHERE seq > $1"), 1);
    stream_hub_destroy(&hub);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_a_backlog_is_published_one_batch_a_call),
        cmocka_unit_test(test_a_part_batch_asks_for_no_second_call),
        cmocka_unit_test(test_the_hub_prepares_its_numbering_and_its_read),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
