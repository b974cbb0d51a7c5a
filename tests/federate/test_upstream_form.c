#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "upstream_form.h"

static upstream_report_t sample(void)
{
    return (upstream_report_t) {
        .api_key = "k3y", .jurisdiction_id = "nasional", .service_code = "JALAN.BERLUBANG",
        .origin = "riau", .tracking_id = "ADU-2026-000123",
        .title = "Jalan berlubang", .body = "Lubang besar & dalam di depan pasar.", .address = "Jl. A No. 5",
        .has_position = true, .lat = 1.1456, .lon = 104.0113,
        .reporter_name = "Siti Aminah", .reporter_email = "siti+x@example.org", .reporter_phone = "+62811",
    };
}

/* The exact bytes: fixed order, every reserved byte escaped, the origin line at the end. */
static void test_request_is_the_expected_form(void **state)
{
    (void) state;
    upstream_report_t r = sample();
    const char *reason = "unset";
    char *body = upstream_form_request(&r, &reason);
    assert_non_null(body);
    assert_null(reason);
    assert_string_equal(body,
        "api_key=k3y&jurisdiction_id=nasional&service_code=JALAN.BERLUBANG&lat=1.1456000&long=104.0113000"
        "&address_string=Jl.%20A%20No.%205"
        "&description=Jalan%20berlubang%0ALubang%20besar%20%26%20dalam%20di%20depan%20pasar.%0A%0A"
        "Diteruskan%20dari%20riau%3A%20ADU-2026-000123"
        "&first_name=Siti%20Aminah&email=siti%2Bx%40example.org&phone=%2B62811");
    free(body);
}

/* A resend must be recognised upstream, which keys on the fields: same report, same bytes. */
static void test_same_report_same_bytes(void **state)
{
    (void) state;
    upstream_report_t r = sample();
    const char *reason;
    char *a = upstream_form_request(&r, &reason);
    char *b = upstream_form_request(&r, &reason);
    assert_string_equal(a, b);
    r.tracking_id = "ADU-2026-000124";
    char *c = upstream_form_request(&r, &reason);
    assert_string_not_equal(a, c);
    free(a);
    free(b);
    free(c);
}

static void test_anonymous_sends_no_contact_and_no_position_no_coordinates(void **state)
{
    (void) state;
    upstream_report_t r = sample();
    r.anonymous = true;
    r.has_position = false;
    const char *reason;
    char *body = upstream_form_request(&r, &reason);
    assert_non_null(body);
    assert_null(strstr(body, "first_name"));
    assert_null(strstr(body, "email"));
    assert_null(strstr(body, "phone"));
    assert_null(strstr(body, "Siti"));
    assert_null(strstr(body, "lat="));
    assert_null(strstr(body, "long="));
    free(body);
}

static void test_confidential_is_not_forwarded(void **state)
{
    (void) state;
    upstream_report_t r = sample();
    r.confidential = true;
    const char *reason = NULL;
    assert_null(upstream_form_request(&r, &reason));
    assert_non_null(reason);
}

static void test_answer_with_id_token_or_errors(void **state)
{
    (void) state;
    upstream_answer_t a;
    assert_int_equal(upstream_form_answer("[{\"service_request_id\":\"ADU-1\",\"service_notice\":\"\",\"account_id\":\"\"}]", &a), 0);
    assert_string_equal(a.service_request_id, "ADU-1");
    assert_null(a.token);
    upstream_answer_clear(&a);
    assert_int_equal(upstream_form_answer("[{\"token\":\"t-9\"}]", &a), 0);
    assert_string_equal(a.token, "t-9");
    assert_null(a.service_request_id);
    upstream_answer_clear(&a);
    assert_int_equal(upstream_form_answer("[{\"service_request_id\":\"ADU-2\",\"token\":\"t-9\"}]", &a), 0);
    assert_string_equal(a.service_request_id, "ADU-2");   /* tokens/{t}: both */
    upstream_answer_clear(&a);
    assert_int_equal(upstream_form_answer("[{\"code\":403,\"description\":\"api_key is wrong\"},"
                                          "{\"code\":400,\"description\":\"service_code is unknown\"}]", &a), 1);
    assert_string_equal(a.errors, "403 api_key is wrong; 400 service_code is unknown");
    upstream_answer_clear(&a);
}

/* Ids and tokens come from the upstream and go into URLs: nothing in them can change the path. */
static void test_escape_for_urls(void **state)
{
    (void) state;
    char *e = upstream_form_escape("../x y?z=1&k#");
    assert_string_equal(e, "..%2Fx%20y%3Fz%3D1%26k%23");
    free(e);
    e = upstream_form_escape("1XZD-GVNN-7E8D");
    assert_string_equal(e, "1XZD-GVNN-7E8D");
    free(e);
}

static void test_answer_that_is_not_open311(void **state)
{
    (void) state;
    upstream_answer_t a;
    static const char *const bad[] = {NULL, "", "<html>502</html>", "{}", "[]", "[{}]",
                                      "[{\"service_request_id\":\"\"}]"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        assert_int_equal(upstream_form_answer(bad[i], &a), -1);
        assert_null(a.service_request_id);
        assert_null(a.token);
        assert_null(a.errors);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_request_is_the_expected_form),
        cmocka_unit_test(test_same_report_same_bytes),
        cmocka_unit_test(test_anonymous_sends_no_contact_and_no_position_no_coordinates),
        cmocka_unit_test(test_confidential_is_not_forwarded),
        cmocka_unit_test(test_answer_with_id_token_or_errors),
        cmocka_unit_test(test_answer_that_is_not_open311),
        cmocka_unit_test(test_escape_for_urls),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
