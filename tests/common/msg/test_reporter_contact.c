/* "My reports" contact keys: what a reporter types is compared in one form, whatever spaces,
 * case or national prefix it was typed with; anything else is refused. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "reporter_contact.h"

static void assert_key(const char *typed, const char *expected, contact_kind_t expected_kind)
{
    char key[REPORTER_CONTACT_KEY_MAX + 1];
    contact_kind_t kind;
    assert_int_equal(reporter_contact_key(typed, key, &kind), 0);
    assert_string_equal(key, expected);
    assert_int_equal(kind, expected_kind);
}

static void test_contact_keys(void **state)
{
    (void) state;
    assert_key("  Siti.R@Example.ID ", "email:siti.r@example.id", CONTACT_EMAIL);
    assert_key("0812-3456-7890", "phone:6281234567890", CONTACT_PHONE);
    assert_key("+62 812 3456 7890", "phone:6281234567890", CONTACT_PHONE);
    assert_key("(0778) 123456", "phone:62778123456", CONTACT_PHONE);
    char key[REPORTER_CONTACT_KEY_MAX + 1];
    contact_kind_t kind;
    static const char *const refused[] = {"", "   ", "@example.id", "siti@", "a@b@c", "si ti@example.id",
                                          "12345", "0812abc", "1234567890123456", "08123456789012345678"};
    for (size_t i = 0; i < sizeof refused / sizeof refused[0]; i++)
        assert_int_equal(reporter_contact_key(refused[i], key, &kind), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_contact_keys),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
