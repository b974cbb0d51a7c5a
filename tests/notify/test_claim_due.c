#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "claim_due.h"

static void test_a_wake_up_names_the_channels_of_the_added_deliveries(void **state)
{
    (void) state;
    assert_int_equal(claim_channels_woken("email"), CLAIM_EMAIL);
    assert_int_equal(claim_channels_woken("sms,email"), CLAIM_SMS | CLAIM_EMAIL);
    assert_int_equal(claim_channels_woken("webhook,sms,email"), CLAIM_ALL);
}

/* A wake-up from a process of an earlier build (empty), or naming a channel of a later one, must
 * not leave deliveries waiting for the next poll. */
static void test_a_wake_up_that_says_nothing_known_wakes_every_channel(void **state)
{
    (void) state;
    assert_int_equal(claim_channels_woken(""), CLAIM_ALL);
    assert_int_equal(claim_channels_woken(NULL), CLAIM_ALL);
    assert_int_equal(claim_channels_woken("email,fax"), CLAIM_ALL);
    assert_int_equal(claim_channels_woken("emails"), CLAIM_ALL);
    assert_int_equal(claim_channels_woken("email,"), CLAIM_ALL);
}

static void test_a_freed_slot_is_claimed_by_the_channels_that_use_it(void **state)
{
    (void) state;
    assert_int_equal(claim_channels_freed("email"), CLAIM_EMAIL);
    assert_int_equal(claim_channels_freed("webhook"), CLAIM_HTTP);
    assert_int_equal(claim_channels_freed("sms"), CLAIM_HTTP);
    assert_int_equal(claim_channels_freed("inbox"), 0);
    assert_int_equal(claim_channel_of("sms"), CLAIM_SMS);
    assert_int_equal(claim_channel_of(NULL), 0);
}

/* The sender's rounds just after a poll at `at` claimed every channel. */
static claim_rounds_t polled_at(int64_t at)
{
    claim_rounds_t rounds = {0};
    assert_int_equal(claim_rounds_take(&rounds, at), 0);
    claim_rounds_poll(&rounds);
    assert_int_equal(claim_rounds_take(&rounds, at), CLAIM_ALL);
    return rounds;
}

/* A first delivery after a quiet spell does not wait for anything. */
static void test_added_deliveries_of_an_idle_channel_are_claimed_at_once(void **state)
{
    (void) state;
    claim_rounds_t rounds = {0};
    rounds.last_round = 1000;
    claim_rounds_added(&rounds, CLAIM_EMAIL, 0);
    assert_int_equal(claim_rounds_wait_ms(&rounds, 1001, 100), 0);
    assert_int_equal(claim_rounds_take(&rounds, 1001), CLAIM_EMAIL);
    assert_int_equal(claim_rounds_take(&rounds, 1002), 0);
}

/* While attempts are under way and the last claim left nothing due behind, what wakes the
 * sender is gathered: one claim after CLAIM_GATHER_MS instead of one for each wake-up and slot. */
static void test_a_busy_channel_without_backlog_is_claimed_once_after_the_gathering(void **state)
{
    (void) state;
    claim_rounds_t rounds = polled_at(5000);
    claim_rounds_claimed(&rounds, CLAIM_EMAIL, false);
    claim_rounds_added(&rounds, CLAIM_EMAIL, CLAIM_EMAIL);
    claim_rounds_freed(&rounds, CLAIM_EMAIL, CLAIM_EMAIL, CLAIM_ALL);
    claim_rounds_added(&rounds, CLAIM_EMAIL, CLAIM_EMAIL);
    assert_int_equal(claim_rounds_wait_ms(&rounds, 5010, 100), CLAIM_GATHER_MS - 10);
    assert_int_equal(claim_rounds_take(&rounds, 5010), 0);
    assert_int_equal(claim_rounds_wait_ms(&rounds, 5000 + CLAIM_GATHER_MS, 100), 0);
    assert_int_equal(claim_rounds_take(&rounds, 5000 + CLAIM_GATHER_MS), CLAIM_EMAIL);
    assert_int_equal(claim_rounds_take(&rounds, 5000 + 3 * CLAIM_GATHER_MS), 0);
    assert_int_equal(claim_rounds_wait_ms(&rounds, 5000 + 3 * CLAIM_GATHER_MS, 100), 100);
}

/* With a backlog (a claim left due deliveries behind) the slots are refilled once half of them are
 * free: a longer wait would leave them idle, a claim for each slot is a claim for each delivery. */
static void test_a_backlogged_channel_is_claimed_once_half_its_slots_are_free(void **state)
{
    (void) state;
    claim_rounds_t rounds = polled_at(100);
    claim_rounds_claimed(&rounds, CLAIM_EMAIL, true);
    claim_rounds_freed(&rounds, CLAIM_EMAIL, CLAIM_EMAIL, 0);
    assert_int_equal(claim_rounds_take(&rounds, 101), 0);
    claim_rounds_freed(&rounds, CLAIM_EMAIL, CLAIM_EMAIL, CLAIM_EMAIL);
    assert_int_equal(claim_rounds_take(&rounds, 102), CLAIM_EMAIL);
    claim_rounds_claimed(&rounds, CLAIM_EMAIL, false);
    claim_rounds_freed(&rounds, CLAIM_EMAIL, CLAIM_EMAIL, CLAIM_EMAIL);
    assert_int_equal(claim_rounds_take(&rounds, 103), 0);
    assert_int_equal(claim_rounds_take(&rounds, 102 + CLAIM_GATHER_MS), CLAIM_EMAIL);
}

/* An HTTP slot serves both channels: the backlogged one takes it, the other waits. */
static void test_a_freed_http_slot_is_claimed_at_once_only_by_the_backlogged_channel(void **state)
{
    (void) state;
    claim_rounds_t rounds = polled_at(100);
    claim_rounds_claimed(&rounds, CLAIM_WEBHOOK, true);
    claim_rounds_claimed(&rounds, CLAIM_SMS, false);
    claim_rounds_freed(&rounds, CLAIM_HTTP, CLAIM_HTTP, CLAIM_HTTP);
    assert_int_equal(claim_rounds_take(&rounds, 101), CLAIM_WEBHOOK);
    assert_int_equal(claim_rounds_take(&rounds, 100 + CLAIM_GATHER_MS), 0);
    assert_int_equal(claim_rounds_take(&rounds, 101 + CLAIM_GATHER_MS), CLAIM_SMS);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_a_wake_up_names_the_channels_of_the_added_deliveries),
        cmocka_unit_test(test_a_wake_up_that_says_nothing_known_wakes_every_channel),
        cmocka_unit_test(test_a_freed_slot_is_claimed_by_the_channels_that_use_it),
        cmocka_unit_test(test_added_deliveries_of_an_idle_channel_are_claimed_at_once),
        cmocka_unit_test(test_a_busy_channel_without_backlog_is_claimed_once_after_the_gathering),
        cmocka_unit_test(test_a_backlogged_channel_is_claimed_once_half_its_slots_are_free),
        cmocka_unit_test(test_a_freed_http_slot_is_claimed_at_once_only_by_the_backlogged_channel),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
