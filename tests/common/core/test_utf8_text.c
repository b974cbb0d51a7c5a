#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "utf8_text.h"

static long len(const char *s)
{
    return utf8_text_length(s, strlen(s));
}

static void test_valid_and_invalid_sequences(void **state)
{
    (void) state;
    assert_int_equal(len("abc"), 3);
    assert_int_equal(len("Jalan ré\xe2\x82\xac \xf0\x9f\x92\xa5"), 11);  /* é, €, 💥 count as one each */
    assert_int_equal(len("\xc0\xaf"), -1);              /* overlong '/' */
    assert_int_equal(len("\xe0\x80\xaf"), -1);          /* overlong, 3 bytes */
    assert_int_equal(len("\xed\xa0\x80"), -1);          /* surrogate U+D800 */
    assert_int_equal(len("\xf4\x90\x80\x80"), -1);      /* above U+10FFFF */
    assert_int_equal(len("\xe2\x82"), -1);              /* truncated */
    assert_int_equal(len("\xff"), -1);
    assert_int_equal(utf8_text_length("a\0b", 3), -1);  /* NUL inside */
}

static void test_printable(void **state)
{
    (void) state;
    assert_true(utf8_text_is_printable("line one\nline two\ttab", true));
    assert_false(utf8_text_is_printable("line one\nline two", false));
    assert_false(utf8_text_is_printable("bell\a", true));
    assert_false(utf8_text_is_printable("del\x7f", true));
    assert_true(utf8_text_is_printable("Kota Batam \xc3\xa9", false));
}

/* A prefix that fits never ends inside a character: 2, 3 and 4 byte sequences, cut at every byte. */
static void test_prefix_keeps_whole_characters(void **state)
{
    (void) state;
    const char *text = "a\xc3\xa9\xe2\x9c\x93\xf0\x9f\x98\x80";   /* a é ✓ 😀 */
    const size_t expected[] = {0, 1, 1, 3, 3, 3, 6, 6, 6, 6, 10, 10};
    for (size_t max = 0; max < sizeof expected / sizeof expected[0]; max++) {
        size_t n = utf8_text_prefix(text, max);
        assert_int_equal(n, expected[max]);
        assert_true(utf8_text_length(text, n) >= 0);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_valid_and_invalid_sequences), cmocka_unit_test(test_printable),
                                       cmocka_unit_test(test_prefix_keeps_whole_characters)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
