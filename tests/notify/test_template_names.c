#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "template_names.h"

static int check(const char *template, const char *text)
{
    char reason[160] = "";
    int rc = template_kind_check(template_kind(template), text, reason, sizeof reason);
    if (rc != 0)
        assert_non_null(strstr(reason, "{{"));
    return rc;
}

static void test_every_name_is_spelled_once(void **state)
{
    (void) state;
    for (int i = 0; i < TEMPLATE_NAME_COUNT; i++) {
        assert_non_null(template_name((template_name_t) i));
        for (int j = 0; j < i; j++)
            assert_string_not_equal(template_name((template_name_t) i), template_name((template_name_t) j));
    }
}

static void test_rule_templates_know_the_report_names_only(void **state)
{
    (void) state;
    assert_int_equal(check("submitted", "{{tracking_id}} {{title}} {{status}} {{#note}}{{note}}{{/note}} "
                                        "{{due_date}} {{tracking_url}} {{event_type}}"), 0);
    assert_int_equal(check(NULL, "{{institution}} {{reason}} {{deadline}}"), 0);
    assert_int_equal(check("submitted", "{{unsubscribe_url}}"), -1);
    assert_int_equal(check("submitted", "{{code}}"), -1);
    assert_int_equal(check("submitted", "{{nomor}}"), -1);
}

static void test_follow_templates_know_their_links(void **state)
{
    (void) state;
    assert_int_equal(check(TEMPLATE_FOLLOW_STEP, "{{status}} {{tracking_url}} {{unsubscribe_url}}"), 0);
    assert_int_equal(check(TEMPLATE_FOLLOW_STEP, "{{confirm_url}}"), -1);
    assert_int_equal(check(TEMPLATE_FOLLOW_CONFIRM, "{{tracking_id}} {{#title}}{{title}}{{/title}} {{confirm_url}}"), 0);
    assert_int_equal(check(TEMPLATE_FOLLOW_CONFIRM, "{{status}}"), -1);
}

static void test_sign_in_code_knows_and_needs_the_code_and_its_lifetime(void **state)
{
    (void) state;
    const template_kind_t *kind = template_kind(TEMPLATE_SIGN_IN_CODE);
    assert_int_equal(check(TEMPLATE_SIGN_IN_CODE, "Kode {{code}}, {{valid_minutes}} menit"), 0);
    assert_int_equal(check(TEMPLATE_SIGN_IN_CODE, "Kode {{code}} untuk {{tracking_id}}"), -1);
    assert_null(template_kind_missing(kind, "Kode {{code}}, {{valid_minutes}} menit"));
    assert_string_equal(template_kind_missing(kind, "Berlaku {{valid_minutes}} menit"), "code");
    assert_string_equal(template_kind_missing(kind, "Kode {{code}}"), "valid_minutes");
    assert_string_equal(template_kind_missing(kind, "{{#code}}ada{{/code}} {{valid_minutes}}"), "code");
    assert_null(template_kind_missing(template_kind("submitted"), "no names at all"));
}

static void test_values_are_those_the_template_may_use(void **state)
{
    (void) state;
    template_values_t v = {0};
    v.of[NAME_CODE] = "12345678";
    v.of[NAME_TITLE] = "a title the code mail must not carry";
    template_value_t pairs[TEMPLATE_NAME_COUNT];
    size_t n = template_kind_values(template_kind(TEMPLATE_SIGN_IN_CODE), &v, pairs);
    assert_int_equal(n, 2);
    assert_string_equal(pairs[0].name, "code");
    assert_string_equal(pairs[0].value, "12345678");
    assert_string_equal(pairs[1].name, "valid_minutes");
    assert_null(pairs[1].value);
    n = template_kind_values(template_kind("submitted"), &v, pairs);
    for (size_t i = 0; i < n; i++)
        assert_string_not_equal(pairs[i].name, "code");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_name_is_spelled_once),
        cmocka_unit_test(test_rule_templates_know_the_report_names_only),
        cmocka_unit_test(test_follow_templates_know_their_links),
        cmocka_unit_test(test_sign_in_code_knows_and_needs_the_code_and_its_lifetime),
        cmocka_unit_test(test_values_are_those_the_template_may_use),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
