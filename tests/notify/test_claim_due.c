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

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_a_wake_up_names_the_channels_of_the_added_deliveries),
        cmocka_unit_test(test_a_wake_up_that_says_nothing_known_wakes_every_channel),
        cmocka_unit_test(test_a_freed_slot_is_claimed_by_the_channels_that_use_it),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
