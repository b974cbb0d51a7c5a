#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "secret_setting.h"

#define HEX "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"

static void assert_counting_bytes(const unsigned char *secret)
{
    for (int i = 0; i < SECRET_SETTING_BYTES; i++)
        assert_int_equal(secret[i], i);
}

static void test_hex_digits_are_the_secret(void **state)
{
    (void) state;
    unsigned char secret[SECRET_SETTING_BYTES];
    char reason[200];
    assert_int_equal(secret_setting_read(HEX, secret, reason, sizeof reason), 0);
    assert_counting_bytes(secret);
}

static void test_a_file_holds_the_digits(void **state)
{
    (void) state;
    char path[] = "/tmp/aduan-secret-XXXXXX", reason[200];
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    FILE *f = fdopen(fd, "w");
    fputs(HEX "\n", f);
    fclose(f);
    unsigned char secret[SECRET_SETTING_BYTES];
    assert_int_equal(secret_setting_read(path, secret, reason, sizeof reason), 0);
    assert_counting_bytes(secret);
    f = fopen(path, "w");
    fputs(HEX HEX "\n", f);   /* too much is not a secret either */
    fclose(f);
    assert_int_equal(secret_setting_read(path, secret, reason, sizeof reason), -1);
    unlink(path);
}

/* Nothing, a short or malformed secret, a missing file: each an error at start, and the reason
 * never repeats what may be a mistyped secret. */
static void test_missing_or_malformed_secrets_are_errors(void **state)
{
    (void) state;
    unsigned char secret[SECRET_SETTING_BYTES];
    char reason[200];
    assert_int_equal(secret_setting_read("", secret, reason, sizeof reason), -1);
    assert_int_equal(secret_setting_read(NULL, secret, reason, sizeof reason), -1);
    assert_int_equal(secret_setting_read(HEX "0", secret, reason, sizeof reason), -1);
    assert_null(strstr(reason, "0a0b0c"));
    assert_int_equal(secret_setting_read("0a0b0c0d", secret, reason, sizeof reason), -1);
    assert_null(strstr(reason, "0a0b0c"));
    assert_int_equal(secret_setting_read("/nonexistent/secret", secret, reason, sizeof reason), -1);
    assert_non_null(strstr(reason, "/nonexistent/secret"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_hex_digits_are_the_secret),
        cmocka_unit_test(test_a_file_holds_the_digits),
        cmocka_unit_test(test_missing_or_malformed_secrets_are_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
