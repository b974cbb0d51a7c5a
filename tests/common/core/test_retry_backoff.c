#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <inttypes.h>

#include "retry_backoff.h"

#define BASE 1000
#define CAP 3600000   /* one hour */

/* A small deterministic generator so the sweeps below are repeatable. */
static uint32_t next_random(uint64_t *s)
{
    *s = *s * 6364136223846793005ULL + 1442695040888963407ULL;
    return (uint32_t) (*s >> 32);
}

static void assert_within(int64_t value, int64_t low, int64_t high)
{
    if (value < low || value > high)
        fail_msg("%" PRId64 " is not within [%" PRId64 ", %" PRId64 "]", value, low, high);
}

static void test_first_attempt_within_half_base_and_base(void **state)
{
    (void) state;
    uint64_t s = 1;
    for (int i = 0; i < 1000; i++)
        assert_within(retry_backoff_ms(1, BASE, CAP, next_random(&s)), BASE / 2, BASE);
}

static void test_attempt_n_within_half_step_and_step(void **state)
{
    (void) state;
    uint64_t s = 2;
    for (int n = 1; n <= 40; n++) {
        int64_t step = BASE;
        for (int i = 1; i < n && step < CAP; i++)
            step *= 2;
        if (step > CAP)
            step = CAP;
        for (int i = 0; i < 200; i++)
            assert_within(retry_backoff_ms(n, BASE, CAP, next_random(&s)), step / 2, step);
    }
}

static void test_steps_double_exactly(void **state)
{
    (void) state;
    /* With random = 0 the wait is exactly half the step: 500, 1000, 2000, 4000, ... */
    assert_int_equal(retry_backoff_ms(1, BASE, CAP, 0), 500);
    assert_int_equal(retry_backoff_ms(2, BASE, CAP, 0), 1000);
    assert_int_equal(retry_backoff_ms(3, BASE, CAP, 0), 2000);
    assert_int_equal(retry_backoff_ms(4, BASE, CAP, 0), 4000);
    assert_int_equal(retry_backoff_ms(12, BASE, CAP, 0), 1024000);
    assert_int_equal(retry_backoff_ms(13, BASE, CAP, 0), CAP / 2);   /* 4096000 is past the cap */
}

static void test_random_zero_gives_lower_bound(void **state)
{
    (void) state;
    assert_int_equal(retry_backoff_ms(1, BASE, CAP, 0), BASE / 2);
    assert_int_equal(retry_backoff_ms(5, BASE, CAP, 0), 16000 / 2);
    assert_int_equal(retry_backoff_ms(50, BASE, CAP, 0), CAP / 2);
}

static void test_random_max_stays_within_bounds(void **state)
{
    (void) state;
    assert_within(retry_backoff_ms(1, BASE, CAP, UINT32_MAX), BASE / 2, BASE);
    assert_within(retry_backoff_ms(5, BASE, CAP, UINT32_MAX), 8000, 16000);
    assert_within(retry_backoff_ms(50, BASE, CAP, UINT32_MAX), CAP / 2, CAP);
    /* a step far beyond 2^32 ms */
    int64_t big = INT64_C(1) << 50;
    assert_within(retry_backoff_ms(1, big, big, UINT32_MAX), big / 2, big);
}

static void test_cap_holds_for_huge_attempt_counts(void **state)
{
    (void) state;
    assert_within(retry_backoff_ms(1000, BASE, CAP, 0), CAP / 2, CAP);
    assert_within(retry_backoff_ms(1000, BASE, CAP, UINT32_MAX), CAP / 2, CAP);
    assert_within(retry_backoff_ms(INT32_MAX, BASE, CAP, 12345), CAP / 2, CAP);
    assert_int_equal(retry_backoff_ms(INT32_MAX, BASE, CAP, 0), CAP / 2);
}

static void test_no_overflow_with_cap_near_int64_max(void **state)
{
    (void) state;
    int64_t v = retry_backoff_ms(INT32_MAX, BASE, INT64_MAX, UINT32_MAX);
    assert_true(v >= INT64_MAX / 2);
    assert_true(v <= INT64_MAX);
    v = retry_backoff_ms(INT32_MAX, INT64_MAX, INT64_MAX, 0);
    assert_true(v >= INT64_MAX / 2);
}

static void test_base_below_one_is_treated_as_one(void **state)
{
    (void) state;
    assert_int_equal(retry_backoff_ms(1, 0, CAP, 0), 1);
    assert_int_equal(retry_backoff_ms(1, -500, CAP, UINT32_MAX), 1);
    assert_within(retry_backoff_ms(3, 0, CAP, UINT32_MAX), 2, 4);
    assert_true(retry_backoff_ms(INT32_MAX, INT64_MIN, CAP, 7) >= 1);
}

static void test_cap_below_base_uses_base(void **state)
{
    (void) state;
    assert_within(retry_backoff_ms(1, BASE, 10, UINT32_MAX), BASE / 2, BASE);
    assert_within(retry_backoff_ms(20, BASE, 10, 77), BASE / 2, BASE);
    assert_within(retry_backoff_ms(20, BASE, -1, 77), BASE / 2, BASE);
}

static void test_zero_or_negative_attempts_use_base(void **state)
{
    (void) state;
    assert_within(retry_backoff_ms(0, BASE, CAP, 99), BASE / 2, BASE);
    assert_within(retry_backoff_ms(-3, BASE, CAP, 99), BASE / 2, BASE);
}

static void test_jitter_spreads_values(void **state)
{
    (void) state;
    uint64_t s = 3;
    int64_t low = INT64_MAX, high = INT64_MIN;
    for (int i = 0; i < 1000; i++) {
        int64_t v = retry_backoff_ms(4, BASE, CAP, next_random(&s));
        low = v < low ? v : low;
        high = v > high ? v : high;
    }
    assert_true(low < high);
    /* over 1000 draws the spread covers most of [4000, 8000] */
    assert_true(low < 4400);
    assert_true(high > 7600);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_first_attempt_within_half_base_and_base),
        cmocka_unit_test(test_attempt_n_within_half_step_and_step),
        cmocka_unit_test(test_steps_double_exactly),
        cmocka_unit_test(test_random_zero_gives_lower_bound),
        cmocka_unit_test(test_random_max_stays_within_bounds),
        cmocka_unit_test(test_cap_holds_for_huge_attempt_counts),
        cmocka_unit_test(test_no_overflow_with_cap_near_int64_max),
        cmocka_unit_test(test_base_below_one_is_treated_as_one),
        cmocka_unit_test(test_cap_below_base_uses_base),
        cmocka_unit_test(test_zero_or_negative_attempts_use_base),
        cmocka_unit_test(test_jitter_spreads_values),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
