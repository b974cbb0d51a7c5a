#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"

static const config_option_t options[] = {
    {"ADUAN_ADMIN_ADDR", "127.0.0.1:9999", "overridden default"},
    {"ADUAN_TEST_NUMBER", "5", "a number"},
    {"ADUAN_TEST_FLAG", "true", "a flag"},
};

static void test_defaults_environment_and_overrides(void **state)
{
    (void) state;
    unsetenv("ADUAN_TEST_NUMBER");
    unsetenv("ADUAN_ADMIN_ADDR");
    setenv("ADUAN_LOG_LEVEL", "debug", 1);
    config_t *c = config_new("aduan-test", "test", options, 3);
    char reason[200];
    char *argv[] = {"aduan-test", NULL};
    assert_int_equal(config_load(c, 1, argv, reason, sizeof reason), 0);
    assert_string_equal(config_get(c, "ADUAN_ADMIN_ADDR"), "127.0.0.1:9999");
    assert_string_equal(config_get(c, "ADUAN_LOG_LEVEL"), "debug");
    assert_string_equal(config_get(c, "ADUAN_DB_URL"), "postgresql:///aduan");
    assert_null(config_get(c, "ADUAN_NOT_DECLARED"));
    long n;
    assert_int_equal(config_get_long(c, "ADUAN_TEST_NUMBER", 1, 10, &n, reason, sizeof reason), 0);
    assert_int_equal(n, 5);
    bool flag;
    assert_int_equal(config_get_bool(c, "ADUAN_TEST_FLAG", &flag, reason, sizeof reason), 0);
    assert_true(flag);
    config_destroy(&c);
    assert_null(c);
}

static void test_bad_values_and_arguments(void **state)
{
    (void) state;
    setenv("ADUAN_TEST_NUMBER", "12x", 1);
    setenv("ADUAN_TEST_FLAG", "maybe", 1);
    config_t *c = config_new("aduan-test", "test", options, 3);
    char reason[200];
    char *argv[] = {"aduan-test", "--verbose", NULL};
    assert_int_equal(config_load(c, 2, argv, reason, sizeof reason), -1);
    assert_non_null(strstr(reason, "--verbose"));
    assert_int_equal(config_load(c, 1, argv, reason, sizeof reason), 0);
    long n;
    bool flag;
    assert_int_equal(config_get_long(c, "ADUAN_TEST_NUMBER", 1, 10, &n, reason, sizeof reason), -1);
    assert_int_equal(config_get_bool(c, "ADUAN_TEST_FLAG", &flag, reason, sizeof reason), -1);
    setenv("ADUAN_TEST_NUMBER", "11", 1);
    config_load(c, 1, argv, reason, sizeof reason);
    assert_int_equal(config_get_long(c, "ADUAN_TEST_NUMBER", 1, 10, &n, reason, sizeof reason), -1);
    config_destroy(&c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_defaults_environment_and_overrides),
                                       cmocka_unit_test(test_bad_values_and_arguments)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
