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

#include "cmd_client.h"
#include "cmd_server.h"
#include "error_reply.h"

/* A command server running in its own thread (sockets never cross threads). */
typedef struct {
    char endpoint[256];
    int start_delay_ms;
    int slow_first_ms;          /* the first delivery of each id sleeps this long */
    atomic_int handled;
    atomic_int deliveries_of_first_id;
    char first_id[ENVELOPE_ID_MAX + 1];
    atomic_bool stop;
    atomic_bool ready;
    pthread_t thread;
} server_t;

static int echo(void *ctx, const envelope_t *request, envelope_t *reply)
{
    server_t *s = ctx;
    bool first = s->first_id[0] == '\0' || strcmp(s->first_id, request->id) == 0;
    if (s->first_id[0] == '\0')
        snprintf(s->first_id, sizeof s->first_id, "%s", request->id);
    if (first && atomic_fetch_add(&s->deliveries_of_first_id, 1) == 0 && s->slow_first_ms)
        zclock_sleep(s->slow_first_ms);
    atomic_fetch_add(&s->handled, 1);
    envelope_set_type(reply, "echo.reply");
    unsigned char *copy = malloc(request->body_size + 1);
    memcpy(copy, request->body, request->body_size);
    envelope_take_body(reply, copy, request->body_size);
    return 0;
}

static void *serve(void *arg)
{
    server_t *s = arg;
    zclock_sleep(s->start_delay_ms);
    char reason[200];
    cmd_server_t *server = cmd_server_new(s->endpoint, NULL, reason, sizeof reason);
    assert_non_null(server);
    cmd_server_on(server, "echo", CURVE_ROLES_ANY, echo, s);
    atomic_store(&s->ready, true);
    zpoller_t *poller = zpoller_new(cmd_server_socket(server), NULL);
    while (!atomic_load(&s->stop))
        if (zpoller_wait(poller, 50))
            cmd_server_handle_one(server);
    zpoller_destroy(&poller);
    cmd_server_destroy(&server);
    return NULL;
}

static server_t *server_start(const char *endpoint, int delay_ms)
{
    server_t *s = calloc(1, sizeof *s);
    snprintf(s->endpoint, sizeof s->endpoint, "%s", endpoint);
    s->start_delay_ms = delay_ms;
    pthread_create(&s->thread, NULL, serve, s);
    return s;
}

static void server_stop(server_t *s)
{
    atomic_store(&s->stop, true);
    pthread_join(s->thread, NULL);
    free(s);
}

static envelope_t *request(const char *type, const char *text)
{
    envelope_t *e = envelope_new(type, 1, NULL, NULL);
    envelope_take_body(e, (unsigned char *) strdup(text), strlen(text));
    return e;
}

static char *endpoint(const char *name)
{
    static _Thread_local char buffer[128];
    snprintf(buffer, sizeof buffer, "ipc:///tmp/aduan-cmd-test-%d-%s", getpid(), name);
    return buffer;
}

static void test_round_trip_ping_and_unknown_type(void **state)
{
    (void) state;
    server_t *s = server_start(endpoint("a"), 0);
    char reason[200];
    cmd_client_t *client = cmd_client_new(endpoint("a"), 1000, 3, NULL, NULL, reason, sizeof reason);
    envelope_t *req = request("echo", "hello"), *reply = cmd_client_call(client, req, reason, sizeof reason);
    assert_non_null(reply);
    assert_string_equal(reply->type, "echo.reply");
    assert_string_equal(reply->id, req->id);
    assert_memory_equal(reply->body, "hello", 5);
    envelope_destroy(&reply);
    envelope_destroy(&req);
    req = request(MSG_PING, "");
    reply = cmd_client_call(client, req, reason, sizeof reason);
    assert_string_equal(reply->type, MSG_PONG);
    envelope_destroy(&reply);
    envelope_destroy(&req);
    req = request("nobody.handles.this", "x");
    reply = cmd_client_call(client, req, reason, sizeof reason);
    error_reply_t error;
    assert_string_equal(reply->type, MSG_ERROR);
    assert_int_equal(error_reply_decode(reply->body, reply->body_size, &error, reason, sizeof reason), 0);
    assert_string_equal(error.code, ERROR_UNKNOWN_TYPE);
    envelope_destroy(&reply);
    envelope_destroy(&req);
    cmd_client_destroy(&client);
    server_stop(s);
}

static void test_server_started_late_is_reached_by_retries(void **state)
{
    (void) state;
    server_t *s = server_start(endpoint("late"), 700);
    char reason[200];
    cmd_client_t *client = cmd_client_new(endpoint("late"), 300, 6, NULL, NULL, reason, sizeof reason);
    envelope_t *req = request("echo", "late"), *reply = cmd_client_call(client, req, reason, sizeof reason);
    assert_non_null(reply);
    assert_string_equal(reply->id, req->id);
    envelope_destroy(&reply);
    envelope_destroy(&req);
    cmd_client_destroy(&client);
    server_stop(s);
}

static void test_retry_resends_the_same_request_id(void **state)
{
    (void) state;
    server_t *s = server_start(endpoint("slow"), 0);
    s->slow_first_ms = 600;
    while (!atomic_load(&s->ready))
        zclock_sleep(10);
    char reason[200];
    cmd_client_t *client = cmd_client_new(endpoint("slow"), 250, 5, NULL, NULL, reason, sizeof reason);
    envelope_t *req = request("echo", "again"), *reply = cmd_client_call(client, req, reason, sizeof reason);
    assert_non_null(reply);
    assert_string_equal(reply->id, req->id);
    assert_true(atomic_load(&s->deliveries_of_first_id) >= 2);
    assert_string_equal(s->first_id, req->id);
    envelope_destroy(&reply);
    envelope_destroy(&req);
    cmd_client_destroy(&client);
    server_stop(s);
}

static void test_two_replicas_share_the_work_and_timeouts_are_bounded(void **state)
{
    (void) state;
    server_t *a = server_start(endpoint("r1"), 0), *b = server_start(endpoint("r2"), 0);
    while (!atomic_load(&a->ready) || !atomic_load(&b->ready))
        zclock_sleep(10);
    char reason[200], both[300];
    snprintf(both, sizeof both, "%s,", endpoint("r1"));
    strcat(both, endpoint("r2"));
    cmd_client_t *client = cmd_client_new(both, 1000, 2, NULL, NULL, reason, sizeof reason);
    zclock_sleep(100);
    for (int i = 0; i < 20; i++) {
        envelope_t *req = request("echo", "x"), *reply = cmd_client_call(client, req, reason, sizeof reason);
        assert_non_null(reply);
        envelope_destroy(&reply);
        envelope_destroy(&req);
    }
    assert_true(atomic_load(&a->handled) > 0);
    assert_true(atomic_load(&b->handled) > 0);
    cmd_client_destroy(&client);
    server_stop(a);
    server_stop(b);
    client = cmd_client_new(endpoint("nobody"), 100, 2, NULL, NULL, reason, sizeof reason);
    int64_t started = zclock_mono();
    envelope_t *req = request("echo", "x");
    assert_null(cmd_client_call(client, req, reason, sizeof reason));
    assert_true(zclock_mono() - started < 1000);
    assert_non_null(strstr(reason, "after 2 attempts"));
    envelope_destroy(&req);
    cmd_client_destroy(&client);
}

static void test_garbage_gets_bad_message(void **state)
{
    (void) state;
    server_t *s = server_start(endpoint("garbage"), 0);
    while (!atomic_load(&s->ready))
        zclock_sleep(10);
    zsock_t *raw = zsock_new_dealer(endpoint("garbage"));
    zstr_send(raw, "this is not msgpack");
    zsock_set_rcvtimeo(raw, 2000);
    zframe_t *frame = zframe_recv(raw);
    assert_non_null(frame);
    char reason[200];
    envelope_t *reply = envelope_decode(zframe_data(frame), zframe_size(frame), reason, sizeof reason);
    error_reply_t error;
    assert_non_null(reply);
    assert_int_equal(error_reply_decode(reply->body, reply->body_size, &error, reason, sizeof reason), 0);
    assert_string_equal(error.code, ERROR_BAD_MESSAGE);
    envelope_destroy(&reply);
    zframe_destroy(&frame);
    zsock_destroy(&raw);
    server_stop(s);
}

/* DESIGN.md property 10: without keys a server is plain, which is for this machine only. */
static void test_a_plain_server_binds_only_on_loopback(void **state)
{
    (void) state;
    char reason[300] = "";
    cmd_server_t *open = cmd_server_new("tcp://0.0.0.0:0", NULL, reason, sizeof reason);
    assert_null(open);
    assert_non_null(strstr(reason, "not loopback"));
    cmd_server_t *mixed = cmd_server_new("tcp://127.0.0.1:0,tcp://0.0.0.0:0", NULL, reason, sizeof reason);
    assert_null(mixed);
    cmd_server_t *local = cmd_server_new("tcp://127.0.0.1:0", NULL, reason, sizeof reason);
    assert_non_null(local);
    cmd_server_destroy(&local);
}

/* What the batch handler saw: how often it ran and with how many requests. */
static int batch_calls, batch_requests;

static int echo_all(void *ctx, const envelope_t *const *requests, envelope_t *const *replies, size_t count)
{
    (void) ctx;
    batch_calls++;
    batch_requests += (int) count;
    for (size_t i = 0; i < count; i++) {
        unsigned char *copy = malloc(requests[i]->body_size + 1);
        memcpy(copy, requests[i]->body, requests[i]->body_size);
        envelope_set_type(replies[i], "batch.reply");
        envelope_take_body(replies[i], copy, requests[i]->body_size);
    }
    return 0;
}

static void send_request(zsock_t *dealer, const char *type, const char *text)
{
    envelope_t *e = request(type, text);
    unsigned char *data;
    size_t size;
    assert_int_equal(envelope_encode(e, &data, &size), 0);
    zframe_t *frame = zframe_new(data, size);
    assert_int_equal(zframe_send(&frame, dealer, 0), 0);
    free(data);
    envelope_destroy(&e);
}

/* The reply waiting on a dealer: its type and body (as text) in "type:body". */
static void expect_reply(zsock_t *dealer, const char *want)
{
    zsock_set_rcvtimeo(dealer, 2000);
    zframe_t *frame = zframe_recv(dealer);
    assert_non_null(frame);
    char reason[200], got[128];
    envelope_t *reply = envelope_decode(zframe_data(frame), zframe_size(frame), reason, sizeof reason);
    assert_non_null(reply);
    snprintf(got, sizeof got, "%s:%.*s", reply->type, (int) reply->body_size, (const char *) reply->body);
    if (strcmp(reply->type, "pong") == 0)
        snprintf(got, sizeof got, "pong");
    assert_string_equal(got, want);
    envelope_destroy(&reply);
    zframe_destroy(&frame);
}

/* A server at endpoint `name` whose "batch" requests go to echo_all, and six dealers connected to it. */
static cmd_server_t *batch_server(const char *name, zsock_t *dealers[6])
{
    char reason[200];
    cmd_server_t *server = cmd_server_new(endpoint(name), NULL, reason, sizeof reason);
    assert_non_null(server);
    assert_int_equal(cmd_server_on_batch(server, "batch", CURVE_ROLES_ANY, echo_all, NULL), 0);
    for (int i = 0; i < 6; i++) {
        dealers[i] = zsock_new_dealer(endpoint(name));
        assert_non_null(dealers[i]);
    }
    return server;
}

/* Requests waiting together: a batch type's go to its handler in one call, up to the bound, each
 * reply to its own sender; other types are answered in the same round. */
static void test_waiting_requests_are_handled_as_one_batch(void **state)
{
    (void) state;
    zsock_t *dealers[6];
    cmd_server_t *server = batch_server("batch", dealers);
    assert_int_equal(cmd_server_on(server, "echo", CURVE_ROLES_ANY, echo, &(server_t) {0}), 0);
    zclock_sleep(100);   /* connected */
    const char *texts[] = {"b0", "b1", "b2", "b3"};
    for (int i = 0; i < 4; i++)
        send_request(dealers[i], "batch", texts[i]);
    send_request(dealers[4], "echo", "e");
    send_request(dealers[5], "ping", "");
    zclock_sleep(200);   /* all six are waiting on the server */
    assert_int_equal(cmd_server_handle_waiting(server, 3), 0);
    assert_int_equal(batch_calls, 1);
    assert_int_equal(batch_requests, 3);
    assert_int_equal(cmd_server_handle_waiting(server, 64), 0);
    assert_int_equal(batch_calls, 2);
    assert_int_equal(batch_requests, 4);
    for (int i = 0; i < 4; i++) {
        char want[32];
        snprintf(want, sizeof want, "batch.reply:%s", texts[i]);
        expect_reply(dealers[i], want);
    }
    expect_reply(dealers[4], "echo.reply:e");
    expect_reply(dealers[5], "pong");
    for (int i = 0; i < 6; i++)
        zsock_destroy(&dealers[i]);
    cmd_server_destroy(&server);
}

/* The batch handler of the next test: whether another request's reply had reached its sender
 * before this batch was handled (a batch's handler may commit, and a read must not wait for that). */
typedef struct {
    zsock_t *earlier_sender;
    bool answered_before;
} answered_before_t;

static int notice_earlier_reply(void *ctx, const envelope_t *const *requests, envelope_t *const *replies,
                                size_t count)
{
    answered_before_t *seen = ctx;
    zpoller_t *poller = zpoller_new(seen->earlier_sender, NULL);
    seen->answered_before = zpoller_wait(poller, 1000) != NULL;
    zpoller_destroy(&poller);
    return echo_all(NULL, requests, replies, count);
}

/* A request of a plain type, and one of the batch type registered first, are answered before the
 * next batch type's handler runs: neither waits for a commit it has no part in. */
static void expect_an_earlier_answer_before_a_later_batch(bool plain)
{
    char reason[200];
    cmd_server_t *server = cmd_server_new(endpoint("answered"), NULL, reason, sizeof reason);
    assert_non_null(server);
    zsock_t *later_sender = zsock_new_dealer(endpoint("answered"));
    answered_before_t seen = {zsock_new_dealer(endpoint("answered")), false};
    assert_non_null(later_sender);
    assert_non_null(seen.earlier_sender);
    assert_int_equal(cmd_server_on_batch(server, "first", CURVE_ROLES_ANY, echo_all, NULL), 0);
    assert_int_equal(cmd_server_on_batch(server, "later", CURVE_ROLES_ANY, notice_earlier_reply, &seen), 0);
    assert_int_equal(cmd_server_on(server, "echo", CURVE_ROLES_ANY, echo, &(server_t) {0}), 0);
    zclock_sleep(100);   /* connected */
    send_request(later_sender, "later", "b");
    send_request(seen.earlier_sender, plain ? "echo" : "first", "e");
    zclock_sleep(200);   /* both are waiting on the server */
    assert_int_equal(cmd_server_handle_waiting(server, 64), 0);
    assert_true(seen.answered_before);
    expect_reply(seen.earlier_sender, plain ? "echo.reply:e" : "batch.reply:e");
    expect_reply(later_sender, "batch.reply:b");
    zsock_destroy(&seen.earlier_sender);
    zsock_destroy(&later_sender);
    cmd_server_destroy(&server);
}

static void test_a_plain_request_is_answered_before_the_batch_it_came_with(void **state)
{
    (void) state;
    expect_an_earlier_answer_before_a_later_batch(true);
}

static void test_a_batch_registered_first_is_answered_before_the_next_one_runs(void **state)
{
    (void) state;
    expect_an_earlier_answer_before_a_later_batch(false);
}

/* Requests a thread sends one after another, gap_ms apart (a flow slower than the server). */
typedef struct {
    zsock_t **dealers;
    int count, gap_ms;
} flow_t;

static void *send_flow(void *arg)
{
    const flow_t *flow = arg;
    for (int i = 0; i < flow->count; i++) {
        zclock_sleep(flow->gap_ms);
        send_request(flow->dealers[i], "batch", "later");
    }
    return NULL;
}

/* One round of handle_waiting: its batches' calls and requests, and how long it took. */
static void round_of(cmd_server_t *server, int *calls, int *requests, int64_t *took_ms)
{
    int calls_before = batch_calls, requests_before = batch_requests;
    int64_t started = zclock_mono();
    assert_int_equal(cmd_server_handle_waiting(server, 64), 0);
    *took_ms = zclock_mono() - started;
    *calls = batch_calls - calls_before;
    *requests = batch_requests - requests_before;
}

/* Under a flow (the last round took more than one request), a round waits for more up to the
 * linger: requests 40 ms apart make one batch, where the round used to run its first alone. A lone
 * request, and a round after one, never wait. */
static void test_under_a_flow_a_batch_waits_for_more_up_to_the_linger(void **state)
{
    (void) state;
    zsock_t *dealers[6];
    cmd_server_t *server = batch_server("linger", dealers);
    assert_int_equal(cmd_server_set_linger(server, "batch", 400), 0);
    assert_int_equal(cmd_server_on(server, "echo", CURVE_ROLES_ANY, echo, &(server_t) {0}), 0);
    assert_int_equal(cmd_server_set_linger(server, "echo", 400), -1);   /* not a batch type */
    zclock_sleep(100);   /* connected */
    int calls, requests;
    int64_t took_ms;
    send_request(dealers[0], "batch", "alone");
    round_of(server, &calls, &requests, &took_ms);
    assert_int_equal(requests, 1);
    assert_true(took_ms < 200);   /* no flow before it: no wait */
    send_request(dealers[0], "batch", "two");
    send_request(dealers[1], "batch", "together");
    zclock_sleep(100);
    round_of(server, &calls, &requests, &took_ms);
    assert_int_equal(requests, 2);
    assert_true(took_ms < 200);   /* the last round took one */
    send_request(dealers[2], "batch", "first");
    flow_t flow = {.dealers = &dealers[3], .count = 3, .gap_ms = 40};
    pthread_t sender;
    assert_int_equal(pthread_create(&sender, NULL, send_flow, &flow), 0);
    round_of(server, &calls, &requests, &took_ms);
    pthread_join(sender, NULL);
    assert_int_equal(calls, 1);
    assert_int_equal(requests, 4);
    for (int i = 0; i < 6; i++)
        zsock_destroy(&dealers[i]);
    cmd_server_destroy(&server);
}

int main(void)
{
    zsys_init();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_round_trip_ping_and_unknown_type),
        cmocka_unit_test(test_server_started_late_is_reached_by_retries),
        cmocka_unit_test(test_retry_resends_the_same_request_id),
        cmocka_unit_test(test_two_replicas_share_the_work_and_timeouts_are_bounded),
        cmocka_unit_test(test_garbage_gets_bad_message),
        cmocka_unit_test(test_waiting_requests_are_handled_as_one_batch),
        cmocka_unit_test(test_a_plain_request_is_answered_before_the_batch_it_came_with),
        cmocka_unit_test(test_a_batch_registered_first_is_answered_before_the_next_one_runs),
        cmocka_unit_test(test_a_plain_server_binds_only_on_loopback),
        cmocka_unit_test(test_under_a_flow_a_batch_waits_for_more_up_to_the_linger),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
