#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "idle_memory.h"

static void test_memory_goes_back_once_after_a_quiet_spell(void **state)
{
    (void) state;
    idle_memory_t *idle = idle_memory_new(2000, 1);
    assert_non_null(idle);
    assert_false(idle_memory_due(idle, 0, 0));       /* nothing served yet */
    assert_false(idle_memory_due(idle, 0, 10000));
    assert_false(idle_memory_due(idle, 250, 11000)); /* a burst */
    assert_false(idle_memory_due(idle, 250, 12000)); /* quiet for 1 s only */
    assert_true(idle_memory_due(idle, 250, 13000));
    assert_false(idle_memory_due(idle, 250, 14000)); /* once per quiet spell */
    assert_false(idle_memory_due(idle, 250, 60000));
    idle_memory_destroy(&idle);
    assert_null(idle);
}

static void test_a_steady_load_never_trims(void **state)
{
    (void) state;
    idle_memory_t *idle = idle_memory_new(2000, 1);
    for (int64_t t = 0; t < 60000; t += 1000)
        assert_false(idle_memory_due(idle, (uint64_t) t / 10, t));
    assert_true(idle_memory_due(idle, 5900, 61000));
    idle_memory_destroy(&idle);
}

/* A consumer trims only after a backlog: a quiet spell after a few events forgets them. */
static void test_little_work_before_a_quiet_spell_is_forgotten(void **state)
{
    (void) state;
    idle_memory_t *idle = idle_memory_new(2000, 1000);
    assert_non_null(idle);
    assert_false(idle_memory_due(idle, 600, 0));
    assert_false(idle_memory_due(idle, 600, 3000));   /* quiet after 600: not enough */
    assert_false(idle_memory_due(idle, 1400, 4000));  /* 800 more: still not 1000 since that spell */
    assert_false(idle_memory_due(idle, 1400, 7000));
    assert_false(idle_memory_due(idle, 2500, 8000));  /* 1100 since the last spell */
    assert_false(idle_memory_due(idle, 2500, 9000));
    assert_true(idle_memory_due(idle, 2500, 10000));
    assert_false(idle_memory_due(idle, 2500, 20000));
    idle_memory_destroy(&idle);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_memory_goes_back_once_after_a_quiet_spell),
        cmocka_unit_test(test_a_steady_load_never_trims),
        cmocka_unit_test(test_little_work_before_a_quiet_spell_is_forgotten),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
