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

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_valid_and_invalid_sequences), cmocka_unit_test(test_printable)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
