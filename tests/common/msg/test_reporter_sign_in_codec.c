/* The "my reports" messages: what is absent stays absent, a code to deliver keeps its fields, and
 * the strict decoder refuses what the table does not name. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "reporter_sign_in_codec.h"

static void test_request_round_trip_keeps_absent_fields_absent(void **state)
{
    (void) state;
    char contact[] = "siti@example.org", code[] = "12345678";
    reporter_sign_in_t in = {contact, code, NULL, NULL}, out;
    unsigned char *bytes = NULL;
    size_t size = 0;
    char reason[200];
    assert_int_equal(reporter_sign_in_encode(&in, &bytes, &size), 0);
    assert_int_equal(reporter_sign_in_decode(bytes, size, &out, reason, sizeof reason), 0);
    assert_string_equal(out.contact, contact);
    assert_string_equal(out.code, code);
    assert_null(out.session);
    assert_null(out.tracking_id);
    reporter_sign_in_clear(&out);
    assert_null(out.contact);
    free(bytes);
}

static void test_issued_round_trip_and_nothing_to_deliver(void **state)
{
    (void) state;
    char channel[] = "sms", address[] = "+62 812-7000-5555", code[] = "00417733", language[] = "en";
    reporter_code_issued_t in = {true, channel, address, code, language}, out;
    unsigned char *bytes = NULL;
    size_t size = 0;
    char reason[200];
    assert_int_equal(reporter_code_issued_encode(&in, &bytes, &size), 0);
    assert_int_equal(reporter_code_issued_decode(bytes, size, &out, reason, sizeof reason), 0);
    assert_true(out.deliver);
    assert_string_equal(out.code, "00417733");
    assert_string_equal(out.address, address);
    reporter_code_issued_clear(&out);
    free(bytes);
    reporter_code_issued_t none = {false, NULL, NULL, NULL, NULL};
    assert_int_equal(reporter_code_issued_encode(&none, &bytes, &size), 0);
    assert_int_equal(reporter_code_issued_decode(bytes, size, &out, reason, sizeof reason), 0);
    assert_false(out.deliver);
    assert_null(out.code);
    reporter_code_issued_clear(&out);
    free(bytes);
}

static void test_strict_decoding(void **state)
{
    (void) state;
    char reason[200];
    reporter_sign_in_t out;
    /* {"contact": "a", "extra": 1}: an unknown key */
    static const unsigned char unknown[] = {0x82, 0xa7, 'c', 'o', 'n', 't', 'a', 'c', 't', 0xa1, 'a',
                                            0xa5, 'e', 'x', 't', 'r', 'a', 0x01};
    assert_int_not_equal(reporter_sign_in_decode(unknown, sizeof unknown, &out, reason, sizeof reason), 0);
    /* {"code": 12345678}: a number where a string belongs */
    static const unsigned char number[] = {0x81, 0xa4, 'c', 'o', 'd', 'e', 0xce, 0x00, 0xbc, 0x61, 0x4e};
    assert_int_not_equal(reporter_sign_in_decode(number, sizeof number, &out, reason, sizeof reason), 0);
    reporter_code_issued_t issued;
    /* {}: deliver is required */
    static const unsigned char empty[] = {0x80};
    assert_int_not_equal(reporter_code_issued_decode(empty, sizeof empty, &issued, reason, sizeof reason), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_request_round_trip_keeps_absent_fields_absent),
        cmocka_unit_test(test_issued_round_trip_and_nothing_to_deliver),
        cmocka_unit_test(test_strict_decoding),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
