#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "error_reply.h"
#include "problem.h"
#include "report_json.h"

static const char *VALID =
    "{\"classification\":\"complaint\",\"title\":\"Jalan berlubang\",\"body\":\"Lubang besar di depan pasar.\","
    "\"category\":\"JALAN.BERLUBANG\",\"region\":\"21.71\",\"location\":{\"address\":\"Jl. A\",\"lat\":1.1,\"lon\":104},"
    "\"anonymous\":true,\"reporter\":{\"name\":\"Siti\",\"email\":\"s@example.org\"}}";

static int parse(const char *text, report_submission_t *s, field_errors_t *errors)
{
    json_error_t jerr;
    json_t *root = json_loads(text, 0, &jerr);
    assert_non_null(root);
    memset(s, 0, sizeof *s);
    s->idempotency_key = strdup("req:0123456789abcdef0123456789abcdef");   /* as the gateway makes it */
    field_errors_clear(errors);
    int rc = report_json_to_submission(root, s, errors);
    json_decref(root);
    return rc;
}

static bool names(const field_errors_t *errors, const char *field, const char *code)
{
    for (size_t i = 0; i < errors->count; i++)
        if (strcmp(errors->items[i].field, field) == 0 && strcmp(errors->items[i].code, code) == 0)
            return true;
    return false;
}

static void test_valid_body_maps_every_field(void **state)
{
    (void) state;
    report_submission_t s;
    field_errors_t errors;
    assert_int_equal(parse(VALID, &s, &errors), 0);
    assert_string_equal(s.channel, "web");
    assert_true(s.anonymous);
    assert_false(s.confidential);
    assert_true(s.has_coordinates);
    assert_true(s.lon == 104.0);
    assert_string_equal(s.reporter_email, "s@example.org");
    assert_null(s.reporter_phone);
    report_submission_clear(&s);
}

static void test_types_unknown_fields_and_pairs(void **state)
{
    (void) state;
    report_submission_t s;
    field_errors_t errors;
    assert_int_equal(parse("{\"classification\":\"complaint\",\"title\":7,\"body\":[],\"category\":\"PU\","
                           "\"region\":\"21\",\"anonymous\":\"yes\",\"titel\":\"x\",\"location\":{\"lat\":1,\"x\":2},"
                           "\"reporter\":\"me\",\"channel\":\"open311\"}", &s, &errors), -1);
    assert_true(names(&errors, "title", "type"));
    assert_true(names(&errors, "body", "type"));
    assert_true(names(&errors, "anonymous", "type"));
    assert_true(names(&errors, "titel", "unknown"));
    assert_true(names(&errors, "location.x", "unknown"));
    assert_true(names(&errors, "location.lon", "required"));
    assert_true(names(&errors, "reporter", "type"));
    assert_true(names(&errors, "channel", "invalid"));
    /* a field with a shape problem is not reported again by the rules */
    for (size_t i = 0; i < errors.count; i++)
        for (size_t j = i + 1; j < errors.count; j++)
            assert_string_not_equal(errors.items[i].field, errors.items[j].field);
    report_submission_clear(&s);
    assert_int_equal(parse("[1]", &s, &errors), -1);
    assert_int_equal(errors.count, 1);
    report_submission_clear(&s);
    assert_int_equal(parse("{}", &s, &errors), -1);
    assert_true(names(&errors, "title", "required"));
    assert_true(names(&errors, "region", "required"));
    report_submission_clear(&s);
}

static void test_view_leaves_out_what_was_withheld(void **state)
{
    (void) state;
    report_view_t v = {.tracking_id = "AAAA-BBBB-CCCC", .classification = "complaint", .status = "waiting_verification",
                       .anonymous = true, .confidential = true, .content_hidden = true, .category = "PU",
                       .region = "21", .channel = "web", .submitted_at_ms = 1764000000123, .updated_at_ms = 1764000000123};
    json_t *doc = report_json_from_view(&v);
    char *text = json_dumps(doc, JSON_COMPACT);
    assert_null(strstr(text, "\"title\""));
    assert_null(strstr(text, "\"reporter\""));
    assert_null(strstr(text, "\"location\""));
    assert_null(strstr(text, "null"));
    assert_non_null(strstr(text, "\"submitted_at\":\"2025-11-24T16:00:00.123Z\""));
    free(text);
    json_decref(doc);
}

static void test_problem_documents(void **state)
{
    (void) state;
    field_errors_t errors;
    field_errors_clear(&errors);
    field_errors_add(&errors, "title", "required", "title is required");
    char *text = problem_render(&PROBLEM_VALIDATION, "bad", &errors);
    json_t *doc = json_loads(text, 0, NULL);
    assert_int_equal(json_integer_value(json_object_get(doc, "status")), 422);
    assert_string_equal(json_string_value(json_object_get(doc, "type")), PROBLEM_BASE "validation-error");
    assert_int_equal(json_array_size(json_object_get(doc, "errors")), 1);
    json_decref(doc);
    free(text);
    assert_int_equal(problem_for_error_code(ERROR_NOT_FOUND)->status, 404);
    assert_int_equal(problem_for_error_code(ERROR_IN_FLIGHT)->status, 409);
    assert_int_equal(problem_for_error_code(ERROR_IDEMPOTENCY_MISMATCH)->status, 422);
    assert_int_equal(problem_for_error_code(ERROR_UNAVAILABLE)->status, 503);
    assert_int_equal(problem_for_error_code("something new")->status, 500);
}

/* docs/api.md's channel row: its list is accepted, null is the default, open311* is refused. */
static void test_channel_values_as_documented(void **state)
{
    (void) state;
    static const char *const accepted[] = {"web", "api", "sms", "whatsapp", "email", "phone", "walk_in", "social_media"};
    static const char *const refused[] = {"open311", "open311.fixmystreet", "open311x", "fax"};
    report_submission_t s;
    field_errors_t errors;
    char body[1024];
    size_t n = strlen(VALID) - 1;   /* without the closing brace */
    for (size_t i = 0; i < sizeof accepted / sizeof accepted[0]; i++) {
        snprintf(body, sizeof body, "%.*s,\"channel\":\"%s\"}", (int) n, VALID, accepted[i]);
        assert_int_equal(parse(body, &s, &errors), 0);
        assert_string_equal(s.channel, accepted[i]);
        report_submission_clear(&s);
    }
    snprintf(body, sizeof body, "%.*s,\"channel\":null}", (int) n, VALID);
    assert_int_equal(parse(body, &s, &errors), 0);
    assert_string_equal(s.channel, "web");
    report_submission_clear(&s);
    for (size_t i = 0; i < sizeof refused / sizeof refused[0]; i++) {
        snprintf(body, sizeof body, "%.*s,\"channel\":\"%s\"}", (int) n, VALID, refused[i]);
        assert_int_equal(parse(body, &s, &errors), -1);
        assert_true(names(&errors, "channel", "invalid"));
        report_submission_clear(&s);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_valid_body_maps_every_field), cmocka_unit_test(test_types_unknown_fields_and_pairs),
        cmocka_unit_test(test_channel_values_as_documented),
        cmocka_unit_test(test_view_leaves_out_what_was_withheld), cmocka_unit_test(test_problem_documents),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
