#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>

#include "rate_limiter.h"

enum { SIGN_IN, SURVEY, KINDS };

static const rate_rule_t rules[KINDS] = {{6, 3}, {60, 1}};   /* one token every 10 s, 3 at once; one a second */

static void test_a_burst_then_refusal_with_the_time_until_the_next_token(void **state)
{
    (void) state;
    rate_limiter_t *limiter = rate_limiter_new(16, rules, KINDS);
    assert_non_null(limiter);
    int64_t retry = -1;
    for (int i = 0; i < 3; i++)
        assert_true(rate_limiter_take(limiter, SIGN_IN, "address:192.0.2.1", 1000, &retry));
    assert_false(rate_limiter_take(limiter, SIGN_IN, "address:192.0.2.1", 1000, &retry));
    assert_in_range(retry, 9990, 10010);
    assert_false(rate_limiter_take(limiter, SIGN_IN, "address:192.0.2.1", 6000, &retry));
    assert_in_range(retry, 4990, 5010);
    assert_true(rate_limiter_take(limiter, SIGN_IN, "address:192.0.2.1", 11000, &retry));
    rate_limiter_destroy(&limiter);
    assert_null(limiter);
}

static void test_refill_never_exceeds_the_burst(void **state)
{
    (void) state;
    rate_limiter_t *limiter = rate_limiter_new(16, rules, KINDS);
    int64_t retry = 0;
    assert_true(rate_limiter_take(limiter, SIGN_IN, "account:ani", 0, &retry));
    int taken = 0;
    while (rate_limiter_take(limiter, SIGN_IN, "account:ani", 3600000, &retry))
        taken++;
    assert_int_equal(taken, 3);
    rate_limiter_destroy(&limiter);
}

static void test_clients_and_kinds_have_buckets_of_their_own(void **state)
{
    (void) state;
    rate_limiter_t *limiter = rate_limiter_new(16, rules, KINDS);
    int64_t retry = 0;
    assert_true(rate_limiter_take(limiter, SURVEY, "address:192.0.2.1", 0, &retry));
    assert_false(rate_limiter_take(limiter, SURVEY, "address:192.0.2.1", 0, &retry));
    assert_true(rate_limiter_take(limiter, SURVEY, "address:192.0.2.2", 0, &retry));
    assert_true(rate_limiter_take(limiter, SIGN_IN, "address:192.0.2.1", 0, &retry));
    rate_limiter_destroy(&limiter);
}

static void test_a_flood_of_clients_keeps_the_table_at_its_size_and_forgets_the_oldest(void **state)
{
    (void) state;
    rate_limiter_t *limiter = rate_limiter_new(64, rules, KINDS);
    int64_t retry = 0;
    assert_true(rate_limiter_take(limiter, SURVEY, "address:198.51.100.1", 0, &retry));
    assert_true(rate_limiter_take(limiter, SURVEY, "address:198.51.100.2", 0, &retry));
    char client[32];
    for (int i = 0; i < 100000; i++) {
        snprintf(client, sizeof client, "address:10.%d.%d.%d", i >> 16, (i >> 8) & 255, i & 255);
        rate_limiter_take(limiter, SURVEY, client, 0, &retry);
        if (i % 32 == 0)   /* used all along: never the least recently used */
            assert_false(rate_limiter_take(limiter, SURVEY, "address:198.51.100.2", 0, &retry));
    }
    assert_int_equal(rate_limiter_size(limiter), 64);
    /* Forgotten, so a full bucket again; the one in use was kept, still empty. */
    assert_true(rate_limiter_take(limiter, SURVEY, "address:198.51.100.1", 0, &retry));
    assert_false(rate_limiter_take(limiter, SURVEY, "address:198.51.100.2", 0, &retry));
    rate_limiter_destroy(&limiter);
}

static void test_long_keys_are_cut_not_overflowed(void **state)
{
    (void) state;
    rate_limiter_t *limiter = rate_limiter_new(4, rules, KINDS);
    char key[RATE_CLIENT_MAX * 3];
    for (size_t i = 0; i < sizeof key - 1; i++)
        key[i] = 'u';
    key[sizeof key - 1] = '\0';
    int64_t retry = 0;
    assert_true(rate_limiter_take(limiter, SURVEY, key, 0, &retry));
    assert_false(rate_limiter_take(limiter, SURVEY, key, 0, &retry));
    rate_limiter_destroy(&limiter);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_a_burst_then_refusal_with_the_time_until_the_next_token),
        cmocka_unit_test(test_refill_never_exceeds_the_burst),
        cmocka_unit_test(test_clients_and_kinds_have_buckets_of_their_own),
        cmocka_unit_test(test_a_flood_of_clients_keeps_the_table_at_its_size_and_forgets_the_oldest),
        cmocka_unit_test(test_long_keys_are_cut_not_overflowed),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
