#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "live_ring.h"
#include "process_memory.h"

#define BACKLOG 4096

static void fill_text(char *to, size_t cap, char c)
{
    memset(to, c, cap - 1);
    to[cap - 1] = '\0';
}

/* Every field at its longest: what goes in comes out. */
static live_event_t longest_event(int64_t seq)
{
    live_event_t e;
    memset(&e, 0, sizeof e);
    e.seq = seq;
    e.at_ms = 1764000000000 + seq;
    fill_text(e.type, sizeof e.type, 't');
    fill_text(e.report, sizeof e.report, 'r');
    fill_text(e.status, sizeof e.status, 's');
    fill_text(e.public_status, sizeof e.public_status, 'p');
    e.confidential = true;
    e.figures = true;
    e.chain_len = e.given_by_len = LIVE_CHAIN_MAX;
    for (size_t i = 0; i < LIVE_CHAIN_MAX; i++) {
        fill_text(e.chain[i], sizeof e.chain[i], (char) ('a' + i));
        fill_text(e.given_by[i], sizeof e.given_by[i], (char) ('A' + i));
    }
    return e;
}

/* As the feed sees most: a report's step at a unit two levels below the top. */
static live_event_t usual_event(int64_t seq)
{
    live_event_t e;
    memset(&e, 0, sizeof e);
    e.seq = seq;
    e.at_ms = 1764000000000 + seq;
    snprintf(e.type, sizeof e.type, "report.submitted");
    snprintf(e.report, sizeof e.report, "%04X-%04X-%04X", (unsigned) seq % 65536, 0x1A2Bu, 0x3C4Du);
    snprintf(e.status, sizeof e.status, "waiting_verification");
    snprintf(e.public_status, sizeof e.public_status, "diterima");
    e.figures = true;
    e.chain_len = 3;
    snprintf(e.chain[0], sizeof e.chain[0], "KEMENKES-DINKES-%04d", (int) (seq % 500));
    snprintf(e.chain[1], sizeof e.chain[1], "KEMENKES");
    snprintf(e.chain[2], sizeof e.chain[2], "NASIONAL");
    return e;
}

static void test_an_event_comes_back_as_it_went_in(void **state)
{
    (void) state;
    live_ring_t *ring = live_ring_new(8);
    assert_non_null(ring);
    live_event_t in[3] = {longest_event(17), usual_event(18), {.seq = 19}}, out;
    for (size_t i = 0; i < 3; i++)
        assert_int_equal(live_ring_put(ring, &in[i]), 0);
    for (size_t i = 0; i < 3; i++) {
        memset(&out, 0x55, sizeof out);
        assert_true(live_ring_get(ring, in[i].seq, &out));
        assert_memory_equal(&out, &in[i], sizeof out);
    }
    live_ring_destroy(&ring);
    assert_null(ring);
}

static void test_an_event_takes_the_place_of_the_one_a_backlog_before(void **state)
{
    (void) state;
    live_ring_t *ring = live_ring_new(8);
    assert_non_null(ring);
    live_event_t out;
    assert_false(live_ring_get(ring, 3, &out));   /* nothing kept yet */
    live_event_t first = usual_event(3), later = usual_event(11);
    assert_int_equal(live_ring_put(ring, &first), 0);
    assert_int_equal(live_ring_put(ring, &later), 0);
    assert_false(live_ring_get(ring, 3, &out));
    assert_true(live_ring_get(ring, 11, &out));
    assert_string_equal(out.report, later.report);
    assert_false(live_ring_get(ring, 19, &out));  /* same place, not yet come */
    live_ring_destroy(&ring);
}

/* A kept event costs what it holds: the fixed records (two chains of twelve ids each, about
 * 1 000 bytes) kept 4 MB in use in a gateway after load, for chains of one to a few ids. */
static void test_a_full_backlog_costs_what_its_events_hold(void **state)
{
    (void) state;
    size_t before = process_memory_heap_in_use();
    live_ring_t *ring = live_ring_new(BACKLOG);
    assert_non_null(ring);
    for (int64_t seq = 1; seq <= 3 * BACKLOG; seq++) {   /* every place taken, and retaken */
        live_event_t e = usual_event(seq);
        assert_int_equal(live_ring_put(ring, &e), 0);
    }
    size_t held = process_memory_heap_in_use() - before;
    printf("%d usual events kept in %zu bytes\n", BACKLOG, held);
    assert_true(held < (size_t) BACKLOG * 200);
    live_event_t out;
    assert_true(live_ring_get(ring, 3 * BACKLOG, &out));
    live_ring_destroy(&ring);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_an_event_comes_back_as_it_went_in),
        cmocka_unit_test(test_an_event_takes_the_place_of_the_one_a_backlog_before),
        cmocka_unit_test(test_a_full_backlog_costs_what_its_events_hold),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
