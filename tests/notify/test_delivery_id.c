#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <sodium.h>
#include <string.h>

#include "delivery_store.h"

static void key_of(char fill, unsigned char key[SECRET_SETTING_BYTES])
{
    memset(key, fill, SECRET_SETTING_BYTES);
}

/* What anyone could compute from an event id and a guessed recipient. */
static void unkeyed(const char *text, char out[DELIVERY_ID_LEN + 1])
{
    unsigned char digest[crypto_hash_sha256_BYTES];
    crypto_hash_sha256(digest, (const unsigned char *) text, strlen(text));
    sodium_bin2hex(out, DELIVERY_ID_LEN + 1, digest, DELIVERY_ID_LEN / 2);
}

static void test_the_id_is_not_the_unkeyed_hash(void **state)
{
    (void) state;
    unsigned char key[SECRET_SETTING_BYTES];
    key_of('k', key);
    char id[DELIVERY_ID_LEN + 1], guess[DELIVERY_ID_LEN + 1];
    delivery_store_make_id(key, "ea84b6502dcd83fe42fbb2c5a50b2a4c", "sms", "reporter", "+62 812-7000-1234", id);
    unkeyed("ea84b6502dcd83fe42fbb2c5a50b2a4c/sms/reporter/+62 812-7000-1234", guess);
    assert_int_equal(strlen(id), DELIVERY_ID_LEN);
    assert_string_not_equal(id, guess);
}

static void test_one_key_gives_one_id_and_another_key_another(void **state)
{
    (void) state;
    unsigned char key[SECRET_SETTING_BYTES], other[SECRET_SETTING_BYTES];
    key_of('k', key);
    key_of('o', other);
    char a[DELIVERY_ID_LEN + 1], b[DELIVERY_ID_LEN + 1], c[DELIVERY_ID_LEN + 1], d[DELIVERY_ID_LEN + 1];
    delivery_store_make_id(key, "e1", "email", "reporter", "siti@example.org", a);
    delivery_store_make_id(key, "e1", "email", "reporter", "siti@example.org", b);
    delivery_store_make_id(other, "e1", "email", "reporter", "siti@example.org", c);
    delivery_store_make_id(key, "e1", "email", "reporter", "budi@example.org", d);
    assert_string_equal(a, b);
    assert_string_not_equal(a, c);
    assert_string_not_equal(a, d);
    assert_int_equal(strspn(a, "0123456789abcdef"), DELIVERY_ID_LEN);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_the_id_is_not_the_unkeyed_hash),
        cmocka_unit_test(test_one_key_gives_one_id_and_another_key_another),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
