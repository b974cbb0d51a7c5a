#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <czmq.h>
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
    db_destroy(&db);
    test_db_drop(&url);
    return 0;
}

/* An event without a report (the log allows it) whose type names it. */
static void append(db_t *c, int n)
{
    char id[32], type[32], role[] = "system";
    snprintf(id, sizeof id, "hub-test-%d-%d", getpid(), n);
    snprintf(type, sizeof type, "test.e%d", n);
    unsigned char payload[1] = {0x80};   /* {} */
    event_t e = {.id = id, .type = type, .version = 1, .tracking_id = id, .actor_role = role,
                 .payload = payload, .payload_size = 1};
    db_error_t error;
    assert_int_equal(event_log_append(c, &e, &error), 0);
}

/* The next event on the stream (heartbeats skipped), or seq -1 after a second of nothing. */
static int64_t next_seq(zsock_t *sub, char *type, size_t cap)
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
            snprintf(type, cap, "%s", e.type);
            event_clear(&e);
        }
        free(topic);
        zframe_destroy(&body);
        zmsg_destroy(&msg);
    }
    zpoller_destroy(&poller);
    return seq;
}

static void expect(zsock_t *sub, int64_t seq, int n)
{
    char type[64], want[32];
    snprintf(want, sizeof want, "test.e%d", n);
    assert_int_equal(next_seq(sub, type, sizeof type), seq);
    assert_string_equal(type, want);
}

/* The hub publishes what its numbering returned; events another sequencer numbered after the last
 * one it published go out first, read from the log, so the stream stays dense and in order. */
static void test_the_stream_is_dense_whoever_numbers(void **state)
{
    (void) state;
    char reason[256];
    stream_hub_t *hub = stream_hub_new(db, endpoint, NULL, 60000, reason, sizeof reason);
    assert_non_null(hub);
    zsock_t *sub = zsock_new_sub(endpoint, "");
    assert_non_null(sub);
    zclock_sleep(300);   /* the subscription reaches the PUB socket */
    assert_int_equal(stream_hub_catch_up(hub), 0);
    int64_t start = stream_hub_published(hub);

    append(db, 1);
    append(db, 2);
    assert_int_equal(stream_hub_catch_up(hub), 2);
    expect(sub, start + 1, 1);
    expect(sub, start + 2, 2);

    db_error_t error;
    append(db, 3);
    append(db, 4);
    assert_int_equal(event_log_sequence(db, 1, &error), 1);   /* another sequencer takes 3 */
    append(db, 5);
    assert_int_equal(stream_hub_catch_up(hub), 3);
    for (int n = 3; n <= 5; n++)
        expect(sub, start + n, n);
    assert_int_equal(stream_hub_published(hub), start + 5);
    char type[64];
    assert_int_equal(next_seq(sub, type, sizeof type), -1);    /* nothing twice */

    zsock_destroy(&sub);
    stream_hub_destroy(&hub);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_the_stream_is_dense_whoever_numbers),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
