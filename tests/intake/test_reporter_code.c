/* The rules of "my reports" sign-in codes without a database: the code's form, its stored hash, and when a try is accepted, counted or refused because the code is dead. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "reporter_code.h"

static const unsigned char secret[SECRET_SETTING_BYTES] = {1, 2, 3, 4, 5, 6, 7, 8};

static void test_codes_are_digits_and_vary(void **state)
{
    (void) state;
    char a[REPORTER_CODE_DIGITS + 1], b[REPORTER_CODE_DIGITS + 1];
    int same = 0;
    for (int i = 0; i < 20; i++) {
        reporter_code_generate(a);
        reporter_code_generate(b);
        assert_true(reporter_code_well_formed(a));
        same += strcmp(a, b) == 0;
    }
    assert_true(same < 2);
    assert_false(reporter_code_well_formed("1234567"));
    assert_false(reporter_code_well_formed("123456789"));
    assert_false(reporter_code_well_formed("1234 678"));
}

static void test_hash_binds_contact_and_secret(void **state)
{
    (void) state;
    char h1[REPORTER_CODE_HASH_HEX_LEN + 1], h2[REPORTER_CODE_HASH_HEX_LEN + 1];
    reporter_code_hash(secret, "email:a@b.id", "12345678", h1);
    assert_int_equal(strlen(h1), REPORTER_CODE_HASH_HEX_LEN);
    assert_null(strstr(h1, "12345678"));
    reporter_code_hash(secret, "email:a@b.id", "12345678", h2);
    assert_string_equal(h1, h2);
    reporter_code_hash(secret, "email:c@b.id", "12345678", h2);
    assert_string_not_equal(h1, h2);
    reporter_code_hash(secret, "email:a@b.id", "12345679", h2);
    assert_string_not_equal(h1, h2);
    unsigned char other[SECRET_SETTING_BYTES] = {9};
    reporter_code_hash(other, "email:a@b.id", "12345678", h2);
    assert_string_not_equal(h1, h2);
}

static reporter_code_verdict_t judge(bool expired, int attempts, bool matches)
{
    reporter_code_try_t t = {expired, attempts, matches};
    return reporter_code_judge(&t);
}

static void test_verdicts(void **state)
{
    (void) state;
    assert_int_equal(judge(false, 0, true), CODE_ACCEPTED);
    assert_int_equal(judge(false, 4, true), CODE_ACCEPTED);
    assert_int_equal(judge(false, 0, false), CODE_WRONG);
    assert_int_equal(judge(false, 3, false), CODE_WRONG);
    assert_int_equal(judge(false, 4, false), CODE_WRONG_LAST);
    /* the right code after five wrong tries, or after the expiry, opens nothing */
    assert_int_equal(judge(false, REPORTER_CODE_MAX_ATTEMPTS, true), CODE_DEAD);
    assert_int_equal(judge(true, 0, true), CODE_DEAD);
    assert_int_equal(judge(true, 0, false), CODE_DEAD);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_codes_are_digits_and_vary),
        cmocka_unit_test(test_hash_binds_contact_and_secret),
        cmocka_unit_test(test_verdicts),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
