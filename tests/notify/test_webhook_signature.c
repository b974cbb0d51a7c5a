#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "webhook_signature.h"

#define SECRET "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"   /* 32 chars, the minimum */
#define BODY "{\"a\":1}"

static void sign(const char *secret, int64_t timestamp, const void *body, size_t size,
                 char out[WEBHOOK_SIGNATURE_SIZE])
{
    memset(out, 0, WEBHOOK_SIGNATURE_SIZE);
    assert_int_equal(webhook_signature(secret, timestamp, body, size, out), 0);
}

static void test_known_answer(void **state)
{
    (void) state;
    /* Computed independently:
     *   printf '%s' '1764115200.{"a":1}' | openssl dgst -sha256 -hmac 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa'
     * (and the same with Python: hmac.new(b'a'*32, b'1764115200.{"a":1}', hashlib.sha256)). */
    char out[WEBHOOK_SIGNATURE_SIZE];
    sign(SECRET, 1764115200, BODY, strlen(BODY), out);
    assert_string_equal(out, "v1=888b8cb95e0b3af036f8f49ec39e41ecdf9e795b42dfc9b0a14a5684c6b3134a");
}

static void test_format_is_v1_and_64_lowercase_hex(void **state)
{
    (void) state;
    char out[WEBHOOK_SIGNATURE_SIZE];
    sign(SECRET "-and-some-more", 1, "x", 1, out);
    assert_int_equal(strlen(out), WEBHOOK_SIGNATURE_SIZE - 1);
    assert_int_equal(strlen(out), 67);
    assert_memory_equal(out, "v1=", 3);
    assert_int_equal(strspn(out + 3, "0123456789abcdef"), 64);
}

static void test_different_timestamp_changes_signature(void **state)
{
    (void) state;
    char a[WEBHOOK_SIGNATURE_SIZE], b[WEBHOOK_SIGNATURE_SIZE];
    sign(SECRET, 1764115200, BODY, strlen(BODY), a);
    sign(SECRET, 1764115201, BODY, strlen(BODY), b);
    assert_string_not_equal(a, b);
}

static void test_different_body_changes_signature(void **state)
{
    (void) state;
    char a[WEBHOOK_SIGNATURE_SIZE], b[WEBHOOK_SIGNATURE_SIZE];
    sign(SECRET, 1764115200, "{\"a\":1}", 7, a);
    sign(SECRET, 1764115200, "{\"a\":2}", 7, b);
    assert_string_not_equal(a, b);
}

static void test_different_secret_changes_signature(void **state)
{
    (void) state;
    char a[WEBHOOK_SIGNATURE_SIZE], b[WEBHOOK_SIGNATURE_SIZE];
    sign(SECRET, 1764115200, BODY, strlen(BODY), a);
    sign("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaab", 1764115200, BODY, strlen(BODY), b);
    assert_string_not_equal(a, b);
}

static void test_same_input_same_signature(void **state)
{
    (void) state;
    char a[WEBHOOK_SIGNATURE_SIZE], b[WEBHOOK_SIGNATURE_SIZE];
    sign(SECRET, 1764115200, BODY, strlen(BODY), a);
    sign(SECRET, 1764115200, BODY, strlen(BODY), b);
    assert_string_equal(a, b);
}

static void test_short_or_missing_secret_is_refused(void **state)
{
    (void) state;
    char out[WEBHOOK_SIGNATURE_SIZE];
    assert_int_equal(webhook_signature("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", 1, "x", 1, out), -1);   /* 31 */
    assert_int_equal(webhook_signature("", 1, "x", 1, out), -1);
    assert_int_equal(webhook_signature(NULL, 1, "x", 1, out), -1);
}

static void test_body_with_nul_bytes_uses_body_size(void **state)
{
    (void) state;
    /* Python: hmac.new(b'a'*32, b'1764115200.a\x00b', hashlib.sha256).hexdigest() */
    char with_nul[WEBHOOK_SIGNATURE_SIZE], cut[WEBHOOK_SIGNATURE_SIZE];
    sign(SECRET, 1764115200, "a\0b", 3, with_nul);
    assert_string_equal(with_nul, "v1=47b0c31e10e57f25145f5a2b8646d8a3eb549ca139d3a9cefd5fa6234b54cc05");
    sign(SECRET, 1764115200, "a\0b", 1, cut);
    /* Python: hmac.new(b'a'*32, b'1764115200.a', hashlib.sha256).hexdigest() */
    assert_string_equal(cut, "v1=d48704004e48631dbbe710a09792fb3123afcd98a16b3ba1926deeb1dfd6436f");
}

static void test_empty_body(void **state)
{
    (void) state;
    char a[WEBHOOK_SIGNATURE_SIZE], b[WEBHOOK_SIGNATURE_SIZE];
    sign(SECRET, 1764115200, "", 0, a);
    sign(SECRET, 1764115200, NULL, 0, b);
    assert_string_equal(a, b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_known_answer),
        cmocka_unit_test(test_format_is_v1_and_64_lowercase_hex),
        cmocka_unit_test(test_different_timestamp_changes_signature),
        cmocka_unit_test(test_different_body_changes_signature),
        cmocka_unit_test(test_different_secret_changes_signature),
        cmocka_unit_test(test_same_input_same_signature),
        cmocka_unit_test(test_short_or_missing_secret_is_refused),
        cmocka_unit_test(test_body_with_nul_bytes_uses_body_size),
        cmocka_unit_test(test_empty_body),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
