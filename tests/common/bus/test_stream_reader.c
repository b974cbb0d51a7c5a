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
#include <time.h>

#include "cmd_server.h"
#include "error_reply.h"
#include "stream_reader.h"
#include "subscribed.h"

/* A fake hub: the test thread publishes on `pub`; a replay server thread answers from `log`. */
static event_batch_t hub_log;
static pthread_mutex_t log_lock = PTHREAD_MUTEX_INITIALIZER;
static atomic_bool stop_replay;
static atomic_int replays;
static atomic_int replay_cap;      /* most events a replay answers (0: what is asked) */
static char pub_endpoint[128], replay_endpoint[128];

/* An event that owns its strings, as event_clear expects. */
static event_t make(int64_t seq)
{
    char id[40];
    snprintf(id, sizeof id, "event-%lld", (long long) seq);
    event_t e = {.seq = seq, .prev = seq - 1, .id = strdup(id), .type = strdup("test.x"), .version = 1,
                 .tracking_id = strdup("T"), .actor_role = strdup("system"), .payload = malloc(1), .payload_size = 1};
    e.payload[0] = 0x80;  /* {} */
    return e;
}

static void store(int64_t from, int64_t to)
{
    pthread_mutex_lock(&log_lock);
    for (int64_t s = from; s <= to; s++) {
        event_t e = make(s);
        event_batch_push(&hub_log, &e);
        event_clear(&e);
    }
    hub_log.head = to;
    pthread_mutex_unlock(&log_lock);
}

static int answer_replay(void *ctx, const envelope_t *request, envelope_t *reply)
{
    (void) ctx;
    event_replay_request_t want;
    char reason[200];
    if (event_replay_request_decode(request->body, request->body_size, &want, reason, sizeof reason) != 0)
        return error_reply_simple(reply, ERROR_BAD_MESSAGE, reason);
    atomic_fetch_add(&replays, 1);
    event_batch_t out = {0, NULL, 0};
    pthread_mutex_lock(&log_lock);
    size_t most = atomic_load(&replay_cap) ? (size_t) atomic_load(&replay_cap) : want.max;
    for (size_t i = 0; i < hub_log.count && out.count < most; i++)
        if (hub_log.items[i].seq >= want.from)
            event_batch_push(&out, &hub_log.items[i]);
    out.head = hub_log.head;
    pthread_mutex_unlock(&log_lock);
    event_replay_request_clear(&want);
    unsigned char *body;
    size_t size;
    event_batch_encode(&out, &body, &size);
    event_batch_clear(&out);
    envelope_set_type(reply, MSG_STREAM_BATCH);
    envelope_take_body(reply, body, size);
    return 0;
}

static void *replay_server(void *arg)
{
    (void) arg;
    char reason[200];
    cmd_server_t *server = cmd_server_new(replay_endpoint, NULL, reason, sizeof reason);
    cmd_server_on(server, MSG_STREAM_REPLAY, CURVE_ROLES_ANY, answer_replay, NULL);
    zpoller_t *poller = zpoller_new(cmd_server_socket(server), NULL);
    while (!atomic_load(&stop_replay))
        if (zpoller_wait(poller, 50))
            cmd_server_handle_one(server);
    zpoller_destroy(&poller);
    cmd_server_destroy(&server);
    return NULL;
}

static void publish(zsock_t *pub, int64_t seq)
{
    event_t e = make(seq);
    unsigned char *bytes;
    size_t size;
    event_encode(&e, &bytes, &size);
    zmsg_t *msg = zmsg_new();
    zmsg_addstr(msg, e.type);
    zmsg_addmem(msg, bytes, size);
    zmsg_send(&msg, pub);
    free(bytes);
    event_clear(&e);
}

static void heartbeat(zsock_t *pub, int64_t head)
{
    unsigned char *bytes;
    size_t size;
    event_heartbeat_encode(head, 0, &bytes, &size);
    zmsg_t *msg = zmsg_new();
    zmsg_addstr(msg, EVENT_HEARTBEAT_TOPIC);
    zmsg_addmem(msg, bytes, size);
    zmsg_send(&msg, pub);
    free(bytes);
}

static void expect_next(stream_reader_t *reader, int64_t seq)
{
    event_t e;
    assert_int_equal(stream_reader_next(reader, 3000, &e), 1);
    assert_int_equal(e.seq, seq);
    event_clear(&e);
}

static void test_late_join_gap_and_silence(void **state)
{
    (void) state;
    snprintf(pub_endpoint, sizeof pub_endpoint, "ipc:///tmp/aduan-sr-pub-%d", getpid());
    snprintf(replay_endpoint, sizeof replay_endpoint, "ipc:///tmp/aduan-sr-replay-%d", getpid());
    zsock_t *pub = zsock_new_pub(pub_endpoint);
    pthread_t thread;
    pthread_create(&thread, NULL, replay_server, NULL);
    store(1, 100);  /* published before the reader existed */
    stream_reader_config_t config = {pub_endpoint, replay_endpoint, 1, "", 1000, NULL};
    char reason[200];
    stream_reader_t *reader = stream_reader_new(&config, reason, sizeof reason);
    assert_non_null(reader);

    /* Late join: a heartbeat reveals head 100; everything comes from the replay, in order. */
    event_t e;
    int got = 0;
    for (int tries = 0; tries < 50 && got == 0; tries++) {
        heartbeat(pub, 100);
        got = stream_reader_next(reader, 100, &e);
    }
    assert_int_equal(got, 1);
    assert_int_equal(e.seq, 1);
    event_clear(&e);
    for (int64_t s = 2; s <= 100; s++)
        expect_next(reader, s);

    /* A live event lost in the middle (105) is replayed, never skipped or repeated. */
    store(101, 110);
    for (int64_t s = 101; s <= 110; s++)
        if (s != 105)
            publish(pub, s);
    for (int64_t s = 101; s <= 110; s++)
        expect_next(reader, s);
    assert_int_equal(stream_reader_position(reader), 111);

    /* A duplicate (e.g. a second hub) is dropped. */
    publish(pub, 110);
    assert_int_equal(stream_reader_next(reader, 300, &e), 0);

    /* Silence: nothing, and the hub counts as gone. */
    assert_int_equal(stream_reader_next(reader, 400, &e), 0);
    assert_false(stream_reader_hub_alive(reader, 300));
    assert_true(atomic_load(&replays) >= 2);

    stream_reader_destroy(&reader);
    atomic_store(&stop_replay, true);
    pthread_join(thread, NULL);
    zsock_destroy(&pub);
    event_batch_clear(&hub_log);
}

/* One event lost early in a long queue: the replay fills the hole, then the reader takes the rest
 * from its queue. It used to ask for replay after replay to the end (a replay's head is the log's,
 * so head >= next until the reader had replayed everything), the queue's events dropped unread. */
static void test_after_a_replay_the_queue_is_read(void **state)
{
    (void) state;
    event_batch_clear(&hub_log);
    atomic_store(&replays, 0);
    atomic_store(&stop_replay, false);
    atomic_store(&replay_cap, 5);
    snprintf(pub_endpoint, sizeof pub_endpoint, "ipc:///tmp/aduan-sr-pub2-%d", getpid());
    snprintf(replay_endpoint, sizeof replay_endpoint, "ipc:///tmp/aduan-sr-replay2-%d", getpid());
    zsock_t *pub = zsock_new_xpub(pub_endpoint);
    zsock_set_sndhwm(pub, 10000);
    pthread_t thread;
    pthread_create(&thread, NULL, replay_server, NULL);
    stream_reader_config_t config = {pub_endpoint, replay_endpoint, 1, "", 1000, NULL};
    char reason[200];
    stream_reader_t *reader = stream_reader_new(&config, reason, sizeof reason);
    assert_non_null(reader);
    wait_subscribed(pub);
    store(1, 200);
    for (int64_t s = 1; s <= 200; s++)
        if (s != 2)
            publish(pub, s);
    zclock_sleep(300);   /* all of them queued */
    for (int64_t s = 1; s <= 200; s++)
        expect_next(reader, s);
    assert_int_equal(atomic_load(&replays), 1);
    stream_reader_destroy(&reader);
    atomic_store(&stop_replay, true);
    pthread_join(thread, NULL);
    atomic_store(&replay_cap, 0);
    zsock_destroy(&pub);
    event_batch_clear(&hub_log);
}

/* A hub's PUB at an endpoint of its own (`name`) in *pub, and a reader of it without a replay
 * endpoint, subscribed: what comes must come from the queue. */
static stream_reader_t *subscribed_reader(const char *name, zsock_t **pub)
{
    snprintf(pub_endpoint, sizeof pub_endpoint, "ipc:///tmp/aduan-sr-%s-%d", name, getpid());
    *pub = zsock_new_xpub(pub_endpoint);
    assert_non_null(*pub);
    stream_reader_config_t config = {pub_endpoint, NULL, 1, "", 1000, NULL};
    char reason[200];
    stream_reader_t *reader = stream_reader_new(&config, reason, sizeof reason);
    assert_non_null(reader);
    wait_subscribed(*pub);
    return reader;
}

/* Messages that are not events, as a hub of another version or a stray publisher might send: one
 * frame only, three frames, a body that does not decode. Each is skipped whole: the reader, which
 * takes a message frame by frame, must never read the next message's frames as this one's. */
static void publish_frames(zsock_t *pub, const char *topic, const char *const *bodies, size_t count)
{
    zmsg_t *msg = zmsg_new();
    zmsg_addstr(msg, topic);
    for (size_t i = 0; i < count; i++)
        zmsg_addstr(msg, bodies[i]);
    zmsg_send(&msg, pub);
}

static void test_messages_that_are_not_events_are_skipped_whole(void **state)
{
    (void) state;
    zsock_t *pub;
    stream_reader_t *reader = subscribed_reader("pub4", &pub);
    const char *const extra[] = {"not msgpack", "a third frame"};
    for (int64_t s = 1; s <= 30; s++) {
        publish_frames(pub, "test.x", NULL, 0);
        publish(pub, s);
        publish_frames(pub, "test.x", extra, 2);
        publish_frames(pub, EVENT_HEARTBEAT_TOPIC, extra, 1);
    }
    /* no replay endpoint: an event lost to a misread could not come back */
    for (int64_t s = 1; s <= 30; s++)
        expect_next(reader, s);
    event_t e;
    assert_int_equal(stream_reader_next(reader, 200, &e), 0);
    assert_int_equal(stream_reader_position(reader), 31);
    stream_reader_destroy(&reader);
    zsock_destroy(&pub);
}

static double cpu_seconds(void)
{
    struct timespec t;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
    return (double) t.tv_sec + (double) t.tv_nsec / 1e9;
}

/* A hole while no replay answers (here: no replay endpoint at all): the reader waits out its time
 * reading and dropping what comes after the hole, as it did with a poll and a blocking read; it
 * must not spin on a queue it leaves unread. */
static void test_a_hole_no_replay_fills_is_waited_out_without_spinning(void **state)
{
    (void) state;
    zsock_t *pub;
    stream_reader_t *reader = subscribed_reader("pub5", &pub);
    publish(pub, 1);
    expect_next(reader, 1);
    for (int64_t s = 3; s <= 50; s++)   /* 2 is lost */
        publish(pub, s);
    zclock_sleep(100);   /* all of them queued */
    event_t e;
    double cpu = cpu_seconds();
    int64_t started = zclock_mono();
    assert_int_equal(stream_reader_next(reader, 600, &e), 0);
    double waited = (double) (zclock_mono() - started) / 1000.0;
    assert_true(waited >= 0.5);
    assert_true(cpu_seconds() - cpu < waited / 4);
    assert_int_equal(stream_reader_position(reader), 2);
    stream_reader_destroy(&reader);
    zsock_destroy(&pub);
}

/* The connections the hub accepted so far (its PUB's monitor). */
static int count_accepted(zactor_t *monitor)
{
    int so_far = 0;
    while (zsock_events(zactor_sock(monitor)) & ZMQ_POLLIN) {
        zmsg_t *event = zmsg_recv(monitor);
        char *name = zmsg_popstr(event);
        so_far += name && strcmp(name, "ACCEPTED") == 0;
        free(name);
        zmsg_destroy(&event);
    }
    return so_far;
}

/* Whether the hub's monitor reports a connection closed within ms. */
static bool wait_disconnected(zactor_t *monitor, int ms)
{
    zpoller_t *poller = zpoller_new(monitor, NULL);
    bool closed = false;
    for (int64_t until = zclock_mono() + ms; !closed && zclock_mono() < until;) {
        if (!zpoller_wait(poller, (int) (until - zclock_mono())))
            continue;
        zmsg_t *event = zmsg_recv(monitor);
        char *name = zmsg_popstr(event);
        closed = name && strcmp(name, "DISCONNECTED") == 0;
        free(name);
        zmsg_destroy(&event);
    }
    zpoller_destroy(&poller);
    return closed;
}

/* A consumer far behind lets its queue fill (100 000 events) while the hub goes on publishing. Its
 * connection must stay: with ZMTP heartbeats on the SUB, a link whose input stopped at the mark
 * cannot read the hub's answers to its pings, the time-out (3 s) drops and reconnects it, and
 * libzmq 4.3.4 may then abort the process on a stale activation of the old link (libzmq issue
 * 3937; aduan-route died so in tests/bench/run.sh after a 100 000-report backlog). */
static void test_a_reader_whose_queue_is_full_keeps_its_link(void **state)
{
    (void) state;
    snprintf(pub_endpoint, sizeof pub_endpoint, "ipc:///tmp/aduan-sr-pub3-%d", getpid());
    zsock_t *pub = zsock_new_xpub(pub_endpoint);
    assert_non_null(pub);
    zsock_set_sndhwm(pub, 100000);
    zactor_t *monitor = zactor_new(zmonitor, pub);
    zstr_sendx(monitor, "LISTEN", "ACCEPTED", "DISCONNECTED", NULL);
    zstr_send(monitor, "START");
    zsock_wait(monitor);
    stream_reader_config_t config = {pub_endpoint, NULL, 1, "", 1000, NULL};
    char reason[200];
    stream_reader_t *reader = stream_reader_new(&config, reason, sizeof reason);
    assert_non_null(reader);
    wait_subscribed(pub);
    int64_t seq = 1;
    for (; seq <= 210000; seq++) {
        publish(pub, seq);
        if (seq % 1000 == 0)
            zclock_sleep(1);   /* the I/O thread moves them to the reader's queue */
    }
    for (int64_t until = zclock_mono() + 5000; zclock_mono() < until; seq++) {
        publish(pub, seq);   /* the hub goes on; the reader reads nothing */
        zclock_sleep(20);
    }
    zclock_sleep(1000);   /* a reconnect would be accepted by now */
    assert_int_equal(count_accepted(monitor), 1);
    for (int64_t s = 1; s <= 1000; s++)   /* the queue is still there, in order */
        expect_next(reader, s);
    stream_reader_destroy(&reader);
    /* As a consumer stops while its hub goes on: the hub closes only once the reader has hung up.
     * Closed at once, the hub's link to the reader, part-way through sending it a message, could
     * break while the hub's socket was closing its queues; libzmq 4.3.4 then asserts on the rest
     * of that message, no longer readable (session_base.cpp:260 in clean_pipes; libzmq issue 3442
     * is of that kind). A CI rehearsal at stop 45 aborted so, after every case had passed. */
    assert_true(wait_disconnected(monitor, 5000));
    zactor_destroy(&monitor);
    zsock_destroy(&pub);
}

int main(void)
{
    zsys_init();
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_late_join_gap_and_silence),
                                       cmocka_unit_test(test_after_a_replay_the_queue_is_read),
                                       cmocka_unit_test(test_messages_that_are_not_events_are_skipped_whole),
                                       cmocka_unit_test(test_a_hole_no_replay_fills_is_waited_out_without_spinning),
                                       cmocka_unit_test(test_a_reader_whose_queue_is_full_keeps_its_link)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
