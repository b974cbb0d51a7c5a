/* The Open311 server's parameter reading and XML writing without sockets: urlencoded forms
 * (escapes, repeats, refusals), W3C datetimes with their zone, the GET filters' errors (several
 * at once), and the XML shape (singular item names, order, empty elements, escaping). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "open311_form.h"
#include "open311_json.h"
#include "open311_params.h"
#include "open311_xml.h"

static open311_form_t *parse(const char *body, int expected)
{
    open311_form_t *form = calloc(1, sizeof *form);
    const char *why = NULL;
    assert_int_equal(open311_form_parse(body, strlen(body), form, &why), expected);
    if (expected)
        assert_non_null(why);
    return form;
}

static void drop(open311_form_t *form)
{
    open311_form_clear(form);
    free(form);
}

static void test_form_decodes_repeats_and_empty_values(void **state)
{
    (void) state;
    open311_form_t *form = parse("service_code=JALAN.PJU&description=Lampu+mati%21&attribute%5Bx%5D%5B%5D=a"
                                 "&attribute[x][]=b&email=&address_id=%23NOTPINPOINTED%23&&lat", 0);
    assert_int_equal(form->count, 7);
    assert_string_equal(open311_form_get(form, "description"), "Lampu mati!");
    assert_string_equal(open311_form_get(form, "address_id"), "#NOTPINPOINTED#");
    assert_null(open311_form_get(form, "email"));   /* sent empty counts as absent */
    assert_null(open311_form_get(form, "lat"));
    size_t cursor = 0;
    assert_string_equal(open311_form_next(form, "attribute[", &cursor)->value, "a");
    assert_string_equal(open311_form_next(form, "attribute[", &cursor)->value, "b");
    assert_null(open311_form_next(form, "attribute[", &cursor));
    drop(form);
}

static void test_form_refuses_bad_escapes_and_text(void **state)
{
    (void) state;
    drop(parse("a=%G1", -1));
    drop(parse("a=%4", -1));
    drop(parse("a=%00", -1));        /* an encoded NUL */
    drop(parse("a=%C3%28", -1));     /* not UTF-8 */
    drop(parse("a=%07", -1));        /* a control character */
    drop(parse("a=line%0Anext", 0)); /* but a line break in a value is text */
    char many[OPEN311_FORM_FIELDS_MAX * 4 + 8] = "";
    for (int i = 0; i <= OPEN311_FORM_FIELDS_MAX; i++)
        strcat(many, "a=1&");
    drop(parse(many, -1));
}

static void test_datetimes_need_their_zone(void **state)
{
    (void) state;
    int64_t t = 0;
    assert_true(open311_datetime_parse("2026-11-24T01:02:03Z", &t));
    assert_int_equal(t, 1795482123);
    assert_true(open311_datetime_parse("2026-11-24T08:02:03+07:00", &t));
    assert_int_equal(t, 1795482123);
    assert_true(open311_datetime_parse("2026-11-24T01:02:03.250-00:00", &t));
    assert_true(open311_datetime_parse("2026-11-24T01:02Z", &t));
    assert_false(open311_datetime_parse("2026-11-24T01:02:03", &t));   /* no zone */
    assert_false(open311_datetime_parse("2026-11-24", &t));
    assert_false(open311_datetime_parse("2026-02-31T00:00:00Z", &t));
    assert_false(open311_datetime_parse("2026-11-24T01:02:03+0700", &t));
    assert_false(open311_datetime_parse("2026", &t));
    assert_false(open311_datetime_parse("", &t));
}

static void test_request_filters_report_every_error(void **state)
{
    (void) state;
    open311_form_t *form = parse("start_date=2026-01-01&end_date=x&status=pending&page_size=1001&lat=1&page=0", 0);
    open311_query_t q;
    memset(&q, 0, sizeof q);
    json_t *errors = open311_errors_new();
    open311_params_requests(form, &q, errors);
    assert_int_equal(json_array_size(errors), 6);
    assert_int_equal(open311_errors_status(errors), 400);
    json_decref(errors);
    open311_query_clear(&q);
    drop(form);

    /* the default window's other half: at most 1000 requests, the first page */
    form = parse("service_code=JALAN.PJU", 0);
    memset(&q, 0, sizeof q);
    errors = open311_errors_new();
    open311_params_requests(form, &q, errors);
    assert_int_equal(json_array_size(errors), 0);
    assert_int_equal(q.limit, 1000);
    assert_int_equal(q.offset, 0);
    assert_null(q.start);
    assert_null(q.end);
    json_decref(errors);
    open311_query_clear(&q);
    drop(form);

    form = parse("start_date=2026-01-01T00:00:00Z&end_date=2026-03-31T00:00:00Z&status=open,closed&page=2"
                 "&page_size=10&lat=1.1&long=104&extensions=true", 0);
    memset(&q, 0, sizeof q);
    errors = open311_errors_new();
    open311_params_requests(form, &q, errors);
    assert_int_equal(json_array_size(errors), 0);
    assert_int_equal(q.limit, 10);
    assert_int_equal(q.offset, 10);
    assert_true(q.has_position && q.extensions);
    assert_true(q.radius > 999 && q.radius < 1001);
    json_decref(errors);
    open311_query_clear(&q);
    drop(form);

    form = parse("start_date=2026-01-01T00:00:00Z&end_date=2026-04-02T00:00:00Z", 0);   /* 91 days */
    memset(&q, 0, sizeof q);
    errors = open311_errors_new();
    open311_params_window(form, &q, errors);
    assert_int_equal(json_array_size(errors), 1);
    json_decref(errors);
    open311_query_clear(&q);
    drop(form);
}

static void test_xml_shape(void **state)
{
    (void) state;
    json_t *doc = json_loads("[{\"service_request_id\":\"A<&>\",\"lat\":1.5,\"metadata\":true,\"zipcode\":null,"
                             "\"notes\":[{\"type\":\"submitted\"}]}]", 0, NULL);
    char *xml = open311_xml_render(doc, "service_requests");
    assert_non_null(xml);
    assert_non_null(strstr(xml, "<service_requests><request><service_request_id>A&lt;&amp;&gt;</service_request_id>"
                                "<lat>1.5</lat><metadata>true</metadata><zipcode></zipcode>"
                                "<notes><note><type>submitted</type></note></notes></request></service_requests>"));
    free(xml);
    json_decref(doc);
    json_t *errors = open311_errors_new();
    open311_errors_add(errors, 400, "service_code is required");
    open311_errors_add(errors, 403, "api_key is required");
    assert_int_equal(open311_errors_status(errors), 403);
    xml = open311_xml_render(errors, "errors");
    assert_non_null(strstr(xml, "<errors><error><code>400</code><description>service_code is required</description>"
                                "</error><error><code>403</code>"));
    free(xml);
    char *json = open311_json_render(errors);
    assert_string_equal(json, "[{\"code\":400,\"description\":\"service_code is required\"},"
                              "{\"code\":403,\"description\":\"api_key is required\"}]");
    free(json);
    json_decref(errors);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_form_decodes_repeats_and_empty_values),
        cmocka_unit_test(test_form_refuses_bad_escapes_and_text),
        cmocka_unit_test(test_datetimes_need_their_zone),
        cmocka_unit_test(test_request_filters_report_every_error),
        cmocka_unit_test(test_xml_shape),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
