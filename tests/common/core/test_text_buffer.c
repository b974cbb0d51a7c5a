#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "text_buffer.h"

static void test_appends_build_one_string(void **state)
{
    (void) state;
    text_buffer_t b = {0};
    text_buffer_append_str(&b, "Halo, ");
    text_buffer_append(&b, "dunia!xyz", 6);
    text_buffer_append_str(&b, "");
    size_t len = 99;
    char *s = text_buffer_take(&b, &len);
    assert_non_null(s);
    assert_string_equal(s, "Halo, dunia!");
    assert_int_equal(len, 12);
    free(s);
}

static void test_data_is_nul_terminated_after_each_append(void **state)
{
    (void) state;
    text_buffer_t b = {0};
    text_buffer_append_str(&b, "ab");
    assert_string_equal(b.data, "ab");
    assert_int_equal(b.len, 2);
    text_buffer_append(&b, "cdef", 1);
    assert_string_equal(b.data, "abc");
    assert_int_equal(b.len, 3);
    free(text_buffer_take(&b, NULL));
}

static void test_take_of_an_untouched_buffer_is_an_empty_string(void **state)
{
    (void) state;
    text_buffer_t b = {0};
    size_t len = 99;
    char *s = text_buffer_take(&b, &len);
    assert_non_null(s);
    assert_string_equal(s, "");
    assert_int_equal(len, 0);
    free(s);
}

static void test_take_leaves_the_buffer_empty_and_reusable(void **state)
{
    (void) state;
    text_buffer_t b = {0};
    text_buffer_append_str(&b, "first");
    char *first = text_buffer_take(&b, NULL);
    assert_null(b.data);
    assert_int_equal(b.len, 0);
    assert_int_equal(b.cap, 0);
    assert_false(b.failed);
    text_buffer_append_str(&b, "second");
    char *second = text_buffer_take(&b, NULL);
    assert_string_equal(first, "first");
    assert_string_equal(second, "second");
    free(first);
    free(second);
}

static void test_grows_past_the_first_allocation(void **state)
{
    (void) state;
    text_buffer_t b = {0};
    char big[1000];
    memset(big, 'x', sizeof big);
    text_buffer_append(&b, big, sizeof big);   /* more than the initial 256 in one go */
    const char digits[] = "0123456789";
    for (int i = 0; i < 3000; i++)             /* and many small appends */
        text_buffer_append(&b, &digits[i % 10], 1);
    size_t len = 0;
    char *s = text_buffer_take(&b, &len);
    assert_non_null(s);
    assert_int_equal(len, 4000);
    assert_int_equal(strlen(s), 4000);
    for (size_t i = 0; i < 1000; i++)
        assert_int_equal(s[i], 'x');
    for (size_t i = 0; i < 3000; i++)
        assert_int_equal(s[1000 + i], '0' + (int) (i % 10));
    free(s);
}

static void test_embedded_nul_bytes_are_kept(void **state)
{
    (void) state;
    text_buffer_t b = {0};
    text_buffer_append(&b, "a\0b", 3);
    text_buffer_append(&b, "\0", 1);
    size_t len = 0;
    char *s = text_buffer_take(&b, &len);
    assert_int_equal(len, 4);
    assert_memory_equal(s, "a\0b\0", 5);   /* plus the terminating NUL */
    free(s);
}

static void test_failed_buffer_ignores_appends_and_take_returns_null(void **state)
{
    (void) state;
    text_buffer_t b = {0};
    text_buffer_append_str(&b, "before");
    b.failed = true;   /* as after a failed realloc */
    text_buffer_append_str(&b, "after");
    assert_int_equal(b.len, 6);
    size_t len = 99;
    char *s = text_buffer_take(&b, &len);   /* frees the data (valgrind checks) */
    assert_null(s);
    assert_int_equal(len, 0);
    assert_null(b.data);
    assert_false(b.failed);
}

static void test_real_allocation_failure_is_remembered(void **state)
{
    (void) state;
    text_buffer_t b = {0};
    text_buffer_append_str(&b, "ok");
    /* 2^60 bytes cannot be allocated (the doubling asks realloc for 2^61); the append must fail
     * without touching `bytes`. */
    text_buffer_append(&b, "x", SIZE_MAX / 16);
    assert_true(b.failed);
    text_buffer_append_str(&b, "ignored");
    assert_null(text_buffer_take(&b, NULL));
}

/* Runs one append of n bytes in a child process: 0 when it returned with `failed` set, otherwise
 * the child hung (killed by the alarm) or crashed. */
static int append_in_child(size_t already, size_t n)
{
    pid_t pid = fork();
    if (pid == 0) {
        alarm(5);
        text_buffer_t b = {0};
        char small[17] = "0123456789abcdef";
        text_buffer_append(&b, small, already);
        text_buffer_append(&b, small, n);
        _exit(b.failed ? 0 : 3);
    }
    int status = 0;
    waitpid(pid, &status, 0);
    return WIFEXITED(status) ? WEXITSTATUS(status) : 100 + WTERMSIG(status);
}

static void test_capacity_doubling_overflow_fails_instead_of_hanging(void **state)
{
    (void) state;
    /* Doubling the capacity towards len + n + 1 > 2^63 wraps it to 0 and loops for ever; the
     * append must end as a remembered failure instead (the child is killed after 5 s: 114). */
    assert_int_equal(append_in_child(0, SIZE_MAX / 2 + 1), 0);
}

static void test_length_overflow_fails_instead_of_crashing(void **state)
{
    (void) state;
    /* len + n + 1 wraps to a small number, so nothing grows and memcpy is asked for ~SIZE_MAX
     * bytes into a 256-byte buffer (undefined behaviour: a crash, 100 + signal, or with glibc a
     * return with len wrapped to 1 and failed still false, 3); it must be a remembered failure. */
    assert_int_equal(append_in_child(4, SIZE_MAX - 2), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_appends_build_one_string),
        cmocka_unit_test(test_data_is_nul_terminated_after_each_append),
        cmocka_unit_test(test_take_of_an_untouched_buffer_is_an_empty_string),
        cmocka_unit_test(test_take_leaves_the_buffer_empty_and_reusable),
        cmocka_unit_test(test_grows_past_the_first_allocation),
        cmocka_unit_test(test_embedded_nul_bytes_are_kept),
        cmocka_unit_test(test_failed_buffer_ignores_appends_and_take_returns_null),
        cmocka_unit_test(test_real_allocation_failure_is_remembered),
        cmocka_unit_test(test_capacity_doubling_overflow_fails_instead_of_hanging),
        cmocka_unit_test(test_length_overflow_fails_instead_of_crashing),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
