#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <czmq.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd_mux.h"

/* The server side is a bare ROUTER in the test's own thread: the mux never blocks, so the test
 * decides exactly which request gets which reply, in which order, and which gets none. */

#define SLOTS 8

typedef struct {
    int calls;
    envelope_t *reply;
    char reason[300];
} answer_t;

static void record(void *tag, envelope_t *reply, const char *reason)
{
    answer_t *answer = tag;
    answer->calls++;
    envelope_destroy(&answer->reply);
    answer->reply = reply;
    snprintf(answer->reason, sizeof answer->reason, "%s", reason ? reason : "");
}

static char *endpoint(const char *name)
{
    static char buffer[128];
    snprintf(buffer, sizeof buffer, "ipc:///tmp/aduan-mux-test-%d-%s", getpid(), name);
    return buffer;
}

/* One request as the server got it: who sent it and its envelope. */
typedef struct {
    zframe_t *identity;
    envelope_t *request;
} received_t;

static received_t receive(zsock_t *router, int timeout_ms)
{
    received_t got = {NULL, NULL};
    zpoller_t *poller = zpoller_new(router, NULL);
    if (zpoller_wait(poller, timeout_ms)) {
        zmsg_t *msg = zmsg_recv(router);
        got.identity = zmsg_pop(msg);
        zframe_t *data = zmsg_pop(msg);
        char why[100];
        got.request = envelope_decode(zframe_data(data), zframe_size(data), why, sizeof why);
        zframe_destroy(&data);
        zmsg_destroy(&msg);
    }
    zpoller_destroy(&poller);
    return got;
}

/* The next request the server gets while the mux goes on sending (a new link connects lazily). */
static received_t pump(zsock_t *router, cmd_mux_t *mux, int timeout_ms)
{
    received_t got = {NULL, NULL};
    for (int64_t end = zclock_mono() + timeout_ms; !got.request && zclock_mono() < end;) {
        cmd_mux_tick(mux, zclock_mono());
        got = receive(router, 10);
    }
    return got;
}

static void reply_to(zsock_t *router, const received_t *got, const char *id, const char *text)
{
    envelope_t *reply = envelope_new("echo.reply", 1, id, id);
    envelope_take_body(reply, (unsigned char *) strdup(text), strlen(text));
    unsigned char *data = NULL;
    size_t size = 0;
    assert_int_equal(envelope_encode(reply, &data, &size), 0);
    zframe_t *identity = zframe_dup(got->identity);
    zframe_send(&identity, router, ZFRAME_MORE);
    zmq_send(zsock_resolve(router), data, size, 0);
    free(data);
    envelope_destroy(&reply);
}

static void received_clear(received_t *got)
{
    zframe_destroy(&got->identity);
    envelope_destroy(&got->request);
}

static void send_request(cmd_mux_t *mux, const char *id, const char *text, answer_t *answer)
{
    envelope_t *request = envelope_new("echo", 1, id, NULL);
    envelope_take_body(request, (unsigned char *) strdup(text), strlen(text));
    char reason[200];
    assert_int_equal(cmd_mux_send(mux, request, record, NULL, answer, reason, sizeof reason), 0);
    envelope_destroy(&request);
}

/* Ticks the mux until `answer` has one, or for at most `ms`. */
static void tick_until(cmd_mux_t *mux, const answer_t *answer, int ms)
{
    zpoller_t *poller = zpoller_new(cmd_mux_socket(mux), NULL);
    for (int64_t end = zclock_mono() + ms; !answer->calls && zclock_mono() < end;) {
        zpoller_wait(poller, 10);
        cmd_mux_tick(mux, zclock_mono());
    }
    zpoller_destroy(&poller);
}

static zsock_t *server(const char *name)
{
    zsock_t *router = zsock_new(ZMQ_ROUTER);
    assert_int_equal(zsock_bind(router, "%s", endpoint(name)), 0);
    return router;
}

/* A ROUTER bound at `name` and a mux linked to it. */
typedef struct {
    zsock_t *router;
    cmd_mux_t *mux;
} link_t;

static link_t link_open(const char *name, int timeout_ms, int attempts, size_t window)
{
    link_t link = {server(name), NULL};
    char reason[200];
    link.mux = cmd_mux_new(endpoint(name), timeout_ms, attempts, window, NULL, NULL, reason, sizeof reason);
    assert_non_null(link.mux);
    return link;
}

static void link_close(link_t *link)
{
    cmd_mux_destroy(&link->mux);
    zsock_destroy(&link->router);
}

static void test_replies_in_any_order_reach_their_own_request(void **state)
{
    (void) state;
    link_t link = link_open("order", 2000, 1, 16);
    zsock_t *router = link.router;
    cmd_mux_t *mux = link.mux;
    answer_t answers[3] = {{0}};
    const char *ids[3] = {"id-a", "id-b", "id-c"};
    for (int i = 0; i < 3; i++)
        send_request(mux, ids[i], ids[i], &answers[i]);
    received_t got[3];
    for (int i = 0; i < 3; i++) {
        got[i] = pump(router, mux, 2000);
        assert_non_null(got[i].request);
    }
    reply_to(router, &got[0], "stale-id", "nobody asked");
    for (int i = 2; i >= 0; i--)
        reply_to(router, &got[i], got[i].request->id, got[i].request->id);
    tick_until(mux, &answers[0], 2000);
    tick_until(mux, &answers[2], 2000);
    for (int i = 0; i < 3; i++) {
        assert_int_equal(answers[i].calls, 1);
        assert_string_equal(answers[i].reply->id, ids[i]);
        assert_memory_equal(answers[i].reply->body, ids[i], strlen(ids[i]));
        envelope_destroy(&answers[i].reply);
        received_clear(&got[i]);
    }
    assert_int_equal(cmd_mux_waiting(mux), 0);
    assert_int_equal(cmd_mux_tick(mux, zclock_mono()), -1);
    link_close(&link);
}

static void test_time_out_resends_the_same_id_then_fails_and_drops_the_late_reply(void **state)
{
    (void) state;
    link_t link = link_open("resend", 150, 3, 16);
    zsock_t *router = link.router;
    cmd_mux_t *mux = link.mux;
    answer_t answer = {0};
    send_request(mux, "same-id", "x", &answer);
    tick_until(mux, &answer, 3000);
    assert_int_equal(answer.calls, 1);
    assert_null(answer.reply);
    assert_non_null(strstr(answer.reason, "timeout"));
    assert_non_null(strstr(answer.reason, "after 3 attempts of 150 ms"));
    received_t got[SLOTS];
    int deliveries = 0;
    while (deliveries < SLOTS && (got[deliveries] = receive(router, 100)).request) {
        assert_string_equal(got[deliveries].request->id, "same-id");
        deliveries++;
    }
    assert_int_equal(deliveries, 3);
    reply_to(router, &got[0], "same-id", "too late");
    zclock_sleep(100);
    assert_int_equal(cmd_mux_tick(mux, zclock_mono()), -1);
    assert_int_equal(answer.calls, 1);   /* the late reply went nowhere */
    for (int i = 0; i < deliveries; i++)
        received_clear(&got[i]);
    link_close(&link);
}

static void test_reply_to_a_resend_answers_once(void **state)
{
    (void) state;
    link_t link = link_open("second", 150, 3, 16);
    zsock_t *router = link.router;
    cmd_mux_t *mux = link.mux;
    answer_t answer = {0};
    send_request(mux, "twice", "x", &answer);
    received_t first = pump(router, mux, 2000), second = {NULL, NULL};
    assert_non_null(first.request);
    second = pump(router, mux, 2000);   /* the resend, once the first attempt timed out */
    assert_non_null(second.request);
    assert_string_equal(second.request->id, "twice");
    reply_to(router, &second, "twice", "second");
    reply_to(router, &first, "twice", "first, late");
    tick_until(mux, &answer, 2000);
    zclock_sleep(50);
    cmd_mux_tick(mux, zclock_mono());
    assert_int_equal(answer.calls, 1);
    assert_memory_equal(answer.reply->body, "second", 6);
    envelope_destroy(&answer.reply);
    received_clear(&first);
    received_clear(&second);
    link_close(&link);
}

static void test_same_id_waits_for_the_first_answer(void **state)
{
    (void) state;
    link_t link = link_open("key", 2000, 1, 16);
    zsock_t *router = link.router;
    cmd_mux_t *mux = link.mux;
    answer_t first = {0}, second = {0};
    send_request(mux, "idempotency-key", "one", &first);
    send_request(mux, "idempotency-key", "two", &second);
    assert_int_equal(cmd_mux_waiting(mux), 2);
    received_t got = pump(router, mux, 2000);
    assert_memory_equal(got.request->body, "one", 3);
    received_t early = pump(router, mux, 100);
    assert_null(early.request);   /* not in flight together */
    reply_to(router, &got, "idempotency-key", "to one");
    received_clear(&got);
    tick_until(mux, &first, 2000);
    assert_memory_equal(first.reply->body, "to one", 6);
    assert_int_equal(second.calls, 0);
    got = pump(router, mux, 2000);
    assert_memory_equal(got.request->body, "two", 3);
    reply_to(router, &got, "idempotency-key", "to two");
    tick_until(mux, &second, 2000);
    assert_memory_equal(second.reply->body, "to two", 6);
    envelope_destroy(&first.reply);
    envelope_destroy(&second.reply);
    received_clear(&got);
    link_close(&link);
}

static void test_no_more_than_the_window_in_flight(void **state)
{
    (void) state;
    link_t link = link_open("window", 300, 1, 2);
    zsock_t *router = link.router;
    cmd_mux_t *mux = link.mux;
    answer_t answers[3] = {{0}};
    const char *ids[3] = {"w-1", "w-2", "w-3"};
    for (int i = 0; i < 3; i++)
        send_request(mux, ids[i], ids[i], &answers[i]);
    int64_t sent = zclock_mono();
    received_t got[3] = {pump(router, mux, 2000), pump(router, mux, 2000), {NULL, NULL}};
    assert_non_null(got[1].request);
    got[2] = pump(router, mux, 100);
    assert_null(got[2].request);   /* two in flight; the third waits */
    assert_int_equal(cmd_mux_waiting(mux), 3);
    reply_to(router, &got[0], got[0].request->id, "first");
    tick_until(mux, &answers[0], 2000);
    got[2] = pump(router, mux, 2000);   /* the answer made room */
    assert_non_null(got[2].request);
    assert_string_equal(got[2].request->id, "w-3");
    int64_t left = sent + 350 - zclock_mono();
    if (left > 0)
        zclock_sleep((int) left);
    cmd_mux_tick(mux, zclock_mono());
    assert_non_null(strstr(answers[1].reason, "timeout"));   /* w-2 was never answered */
    assert_int_equal(answers[2].calls, 0);   /* the third's time-out began when it was sent */
    reply_to(router, &got[2], "w-3", "third");
    tick_until(mux, &answers[2], 2000);
    assert_int_equal(answers[2].calls, 1);
    assert_memory_equal(answers[2].reply->body, "third", 5);
    envelope_destroy(&answers[0].reply);
    envelope_destroy(&answers[2].reply);
    for (int i = 0; i < 3; i++)
        received_clear(&got[i]);
    link_close(&link);
}

/* How many requests the server gets within `ms` while the mux runs. */
static int count_received(zsock_t *router, cmd_mux_t *mux, int ms, received_t *got, int cap)
{
    int n = 0;
    for (int64_t end = zclock_mono() + ms; n < cap && zclock_mono() < end;) {
        got[n] = pump(router, mux, (int) (end - zclock_mono()));
        n += got[n].request != NULL;
    }
    return n;
}

static void test_time_outs_shrink_the_window_and_replies_regrow_it(void **state)
{
    (void) state;
    link_t link = link_open("adapt", 150, 1, 4);
    zsock_t *router = link.router;
    cmd_mux_t *mux = link.mux;
    answer_t lost[4] = {{0}}, later[4] = {{0}};
    char id[16];
    for (int i = 0; i < 4; i++) {
        snprintf(id, sizeof id, "lost-%d", i);
        send_request(mux, id, "x", &lost[i]);
    }
    received_t got[SLOTS];
    assert_int_equal(count_received(router, mux, 100, got, SLOTS), 4);
    tick_until(mux, &lost[3], 2000);   /* all four time out: the window halves, once */
    for (int i = 0; i < 4; i++) {
        received_clear(&got[i]);
        snprintf(id, sizeof id, "later-%d", i);
        send_request(mux, id, "x", &later[i]);
    }
    assert_int_equal(count_received(router, mux, 100, got, SLOTS), 2);
    for (int i = 0; i < 2; i++) {
        reply_to(router, &got[i], got[i].request->id, "ok");
        received_clear(&got[i]);
    }
    tick_until(mux, &later[1], 2000);
    answer_t more[2] = {{0}};
    send_request(mux, "more-0", "x", &more[0]);
    send_request(mux, "more-1", "x", &more[1]);
    /* two replies regrew the window to 4: both queued and both new ones go */
    assert_int_equal(count_received(router, mux, 100, got, SLOTS), 4);
    for (int i = 0; i < 4; i++)
        received_clear(&got[i]);
    for (int i = 0; i < 4; i++)
        envelope_destroy(&later[i].reply);
    link_close(&link);
}

static bool client_there = true;

static bool is_wanted(void *tag)
{
    (void) tag;
    return client_there;
}

static void send_wanted(cmd_mux_t *mux, const char *id, answer_t *answer)
{
    envelope_t *request = envelope_new("echo", 1, id, NULL);
    char reason[200];
    assert_int_equal(cmd_mux_send(mux, request, record, is_wanted, answer, reason, sizeof reason), 0);
    envelope_destroy(&request);
}

static void test_what_nobody_waits_for_is_neither_sent_nor_resent(void **state)
{
    (void) state;
    link_t link = link_open("gone", 150, 3, 1);
    answer_t sent = {0}, queued = {0};
    client_there = true;
    send_wanted(link.mux, "gone-1", &sent);
    send_wanted(link.mux, "gone-2", &queued);
    received_t got[SLOTS];
    assert_int_equal(count_received(link.router, link.mux, 100, got, SLOTS), 1);
    client_there = false;   /* both clients hang up */
    tick_until(link.mux, &queued, 2000);
    assert_int_equal(sent.calls, 1);
    assert_string_equal(sent.reason, "nobody waits for the answer any more");
    assert_int_equal(queued.calls, 1);
    assert_string_equal(queued.reason, "nobody waits for the answer any more");
    assert_int_equal(count_received(link.router, link.mux, 300, got + 1, SLOTS - 1), 0);   /* no resend, no send */
    assert_int_equal(cmd_mux_waiting(link.mux), 0);
    received_clear(&got[0]);
    link_close(&link);
}

static void test_destroy_answers_what_still_waits(void **state)
{
    (void) state;
    char reason[200];
    cmd_mux_t *mux = cmd_mux_new(endpoint("nobody"), 2000, 3, 2, NULL, NULL, reason, sizeof reason);
    answer_t first = {0}, held = {0}, other = {0}, queued = {0};
    send_request(mux, "lonely", "one", &first);
    send_request(mux, "lonely", "two", &held);
    send_request(mux, "other", "three", &other);
    send_request(mux, "queued", "four", &queued);
    assert_true(cmd_mux_tick(mux, zclock_mono()) <= 20);   /* no server: it tries to send again soon */
    cmd_mux_destroy(&mux);
    assert_int_equal(first.calls, 1);
    assert_int_equal(held.calls, 1);
    assert_int_equal(other.calls, 1);
    assert_int_equal(queued.calls, 1);
    assert_string_equal(held.reason, "the command link is closed");
    assert_string_equal(queued.reason, "the command link is closed");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_replies_in_any_order_reach_their_own_request),
        cmocka_unit_test(test_time_out_resends_the_same_id_then_fails_and_drops_the_late_reply),
        cmocka_unit_test(test_reply_to_a_resend_answers_once),
        cmocka_unit_test(test_same_id_waits_for_the_first_answer),
        cmocka_unit_test(test_no_more_than_the_window_in_flight),
        cmocka_unit_test(test_time_outs_shrink_the_window_and_replies_regrow_it),
        cmocka_unit_test(test_what_nobody_waits_for_is_neither_sent_nor_resent),
        cmocka_unit_test(test_destroy_answers_what_still_waits),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
