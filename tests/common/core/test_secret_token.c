#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "secret_token.h"

static void test_tokens_are_random_urlsafe_and_hash_matches(void **state)
{
    (void) state;
    char a[SECRET_TOKEN_LEN + 1], b[SECRET_TOKEN_LEN + 1], hash[SECRET_TOKEN_HASH_HEX_LEN + 1];
    assert_int_equal(secret_token_generate(a), 0);
    assert_int_equal(secret_token_generate(b), 0);
    assert_string_not_equal(a, b);
    assert_int_equal(strlen(a), SECRET_TOKEN_LEN);
    assert_int_equal(strspn(a, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"), SECRET_TOKEN_LEN);
    secret_token_hash_hex(a, hash);
    assert_int_equal(strlen(hash), 64);
    assert_true(secret_token_matches(a, hash));
    assert_false(secret_token_matches(b, hash));
    assert_false(secret_token_matches(a, "abc"));
    assert_false(secret_token_matches(NULL, hash));
    /* The SHA-256 of "abc", so the stored form is the standard one an operator can check. */
    secret_token_hash_hex("abc", hash);
    assert_string_equal(hash, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_tokens_are_random_urlsafe_and_hash_matches)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
