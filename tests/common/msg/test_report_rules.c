#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "report_rules.h"

static report_submission_t valid(void)
{
    report_submission_t s = {.idempotency_key = "http:0f8fad5b-d9cb-469f-a165-70867728950e", .classification = "complaint", .title = "Jalan berlubang",
                             .body = "Lubang besar di jalan depan pasar.", .category = "JALAN.BERLUBANG",
                             .region = "21.71", .channel = "web"};
    return s;
}

/* The single error a submission produced, or fails the test. */
static const field_error_t *only_error(const report_submission_t *s, field_errors_t *errors)
{
    field_errors_clear(errors);
    assert_int_equal(report_submission_check(s, errors), 1);
    return &errors->items[0];
}

static char *repeat(const char *unit, size_t times)
{
    size_t n = strlen(unit);
    char *out = malloc(n * times + 1);
    for (size_t i = 0; i < times; i++)
        memcpy(out + i * n, unit, n);
    out[n * times] = '\0';
    return out;
}

static void test_valid_submission_has_no_errors(void **state)
{
    (void) state;
    report_submission_t s = valid();
    s.incident_date = "2024-02-29";
    s.has_coordinates = true;
    s.lat = -90;
    s.lon = 180;
    s.reporter_email = "a.b@example.org";
    s.reporter_phone = "+62 (812) 700-1234";
    field_errors_t errors;
    field_errors_clear(&errors);
    assert_int_equal(report_submission_check(&s, &errors), 0);
}

static void test_title_length_in_characters(void **state)
{
    (void) state;
    field_errors_t errors;
    report_submission_t s = valid();
    char *exact = repeat("é", REPORT_TITLE_MAX);  /* 200 characters, 400 bytes */
    s.title = exact;
    field_errors_clear(&errors);
    assert_int_equal(report_submission_check(&s, &errors), 0);
    char *over = repeat("é", REPORT_TITLE_MAX + 1);
    s.title = over;
    const field_error_t *e = only_error(&s, &errors);
    assert_string_equal(e->field, "title");
    assert_string_equal(e->code, "too_long");
    s.title = "abcd";
    assert_string_equal(only_error(&s, &errors)->code, "too_short");
    s.title = "tab\there";
    assert_string_equal(only_error(&s, &errors)->code, "invalid");
    free(exact);
    free(over);
}

static void test_required_and_choices(void **state)
{
    (void) state;
    field_errors_t errors;
    report_submission_t s = valid();
    s.body = NULL;
    assert_string_equal(only_error(&s, &errors)->code, "required");
    s = valid();
    s.classification = "rant";
    assert_string_equal(only_error(&s, &errors)->field, "classification");
    s = valid();
    s.channel = "carrier_pigeon";
    assert_string_equal(only_error(&s, &errors)->field, "channel");
    s = valid();
    s.category = "bad code!";
    assert_string_equal(only_error(&s, &errors)->field, "category");
}

static void test_dates(void **state)
{
    (void) state;
    field_errors_t errors;
    report_submission_t s = valid();
    char *bad[] = {"2023-02-29", "2026-13-01", "2026-1-01", "20260101", "2026-04-31x"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        s.incident_date = bad[i];
        assert_string_equal(only_error(&s, &errors)->code, "invalid");
    }
    s.incident_date = "1944-12-31";
    assert_string_equal(only_error(&s, &errors)->code, "out_of_range");
    s.incident_date = "2999-01-01";
    assert_string_equal(only_error(&s, &errors)->code, "out_of_range");
}

static void test_coordinates_email_phone(void **state)
{
    (void) state;
    field_errors_t errors;
    report_submission_t s = valid();
    s.has_coordinates = true;
    s.lat = 90.0001;
    s.lon = 0;
    assert_string_equal(only_error(&s, &errors)->field, "location.lat");
    s.lat = 0;
    s.lon = NAN;
    assert_string_equal(only_error(&s, &errors)->field, "location.lon");
    s = valid();
    char *emails[] = {"no-at", "@example.org", "a@b", "a@@b.org", "a b@c.org", "a@c.org."};
    for (size_t i = 0; i < sizeof emails / sizeof emails[0]; i++) {
        s.reporter_email = emails[i];
        assert_string_equal(only_error(&s, &errors)->field, "reporter.email");
    }
    s = valid();
    char *phones[] = {"12345", "+62-abc-1234", "++++++++"};
    for (size_t i = 0; i < sizeof phones / sizeof phones[0]; i++) {
        s.reporter_phone = phones[i];
        assert_string_equal(only_error(&s, &errors)->field, "reporter.phone");
    }
}

/* At least 16 characters, so that nobody replays another client's request by guessing its key. */
static void test_idempotency_keys_have_16_to_200_printable_characters(void **state)
{
    (void) state;
    char *longest = repeat("k", REPORT_IDEMPOTENCY_KEY_MAX), *command = repeat("k", REPORT_COMMAND_KEY_MAX);
    assert_true(report_idempotency_key_valid("0f8fad5b-d9cb-469f-a165-70867728950e"));
    assert_true(report_idempotency_key_valid("0123456789abcdef"));
    assert_true(report_idempotency_key_valid(longest));
    assert_false(report_idempotency_key_valid("0123456789abcde"));
    assert_false(report_idempotency_key_valid("idem-test-1"));
    assert_false(report_idempotency_key_valid(command));
    assert_false(report_idempotency_key_valid("0123456789abcdef\n"));
    assert_false(report_idempotency_key_valid(NULL));
    field_errors_t errors;
    report_submission_t s = valid();
    s.idempotency_key = command;   /* "http:" and the longest header fit a command */
    field_errors_clear(&errors);
    assert_int_equal(report_submission_check(&s, &errors), 0);
    s.idempotency_key = "http:short-key";   /* intake refuses what a careless caller let through */
    assert_string_equal(only_error(&s, &errors)->field, "idempotency_key");
    free(longest);
    free(command);
}

/* The address goes into mail headers: nothing that would add a recipient or a display name. */
static void test_email_addresses_without_header_specials(void **state)
{
    (void) state;
    field_errors_t errors;
    report_submission_t s = valid();
    char *bad[] = {"a@b.org, c@d.org", "a@b.org;c@d.org", "<a@b.org>", "Rudi <a@b.org>", "\"a\"@b.org",
                   "a(x)@b.org", "a@[10.0.0.1].org", "a\\b@c.org", "a:b@c.org"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        s.reporter_email = bad[i];
        assert_string_equal(only_error(&s, &errors)->field, "reporter.email");
    }
    char *good[] = {"a.b+tag@example.org", "rudi_h-1@batam.go.id"};
    for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
        s.reporter_email = good[i];
        field_errors_clear(&errors);
        assert_int_equal(report_submission_check(&s, &errors), 0);
    }
}

/* '_' and '%' are LIKE wildcards: no code carries one. */
static void test_codes_carry_no_like_wildcards(void **state)
{
    (void) state;
    field_errors_t errors;
    report_submission_t s = valid();
    s.region = "21_71";
    assert_string_equal(only_error(&s, &errors)->field, "region");
    s.region = "21%";
    assert_string_equal(only_error(&s, &errors)->field, "region");
    s = valid();
    s.category = "JALAN_BERLUBANG";
    assert_string_equal(only_error(&s, &errors)->field, "category");
    s = valid();
    s.target_institution = "KOTA_21.71";
    assert_string_equal(only_error(&s, &errors)->field, "target_institution");
    s.target_institution = "KOTA-21.71";
    field_errors_clear(&errors);
    assert_int_equal(report_submission_check(&s, &errors), 0);
}

static void test_all_problems_reported_at_once(void **state)
{
    (void) state;
    report_submission_t s = {.idempotency_key = "req:0123456789abcdef"};
    field_errors_t errors;
    field_errors_clear(&errors);
    assert_int_equal(report_submission_check(&s, &errors), 6);  /* classification title body category region channel */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_valid_submission_has_no_errors), cmocka_unit_test(test_title_length_in_characters),
        cmocka_unit_test(test_required_and_choices),           cmocka_unit_test(test_dates),
        cmocka_unit_test(test_coordinates_email_phone),        cmocka_unit_test(test_all_problems_reported_at_once),
        cmocka_unit_test(test_idempotency_keys_have_16_to_200_printable_characters),
        cmocka_unit_test(test_email_addresses_without_header_specials),
        cmocka_unit_test(test_codes_carry_no_like_wildcards),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
