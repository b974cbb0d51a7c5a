#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "error_reply.h"
#include "reference_codec.h"
#include "report_codec.h"

static report_submission_t full_submission(void)
{
    report_submission_t s = {
        .idempotency_key = "http:k1", .classification = "complaint", .title = "Jalan berlubang",
        .body = "Lubang besar di jalan depan pasar", .category = "JALAN.BERLUBANG", .region = "21.71",
        .incident_date = "2026-11-20", .address = "Jl. Raden Patah", .has_coordinates = true, .lat = 1.1456,
        .lon = 104.0113, .target_institution = "KOTA-21.71.PUPR", .anonymous = true, .confidential = false,
        .reporter_name = "Siti", .reporter_email = "siti@example.org", .reporter_phone = "+62 812",
        .channel = "web"};
    return s;
}

static void test_submission_round_trip_full_and_minimal(void **state)
{
    (void) state;
    report_submission_t in = full_submission(), out;
    unsigned char *bytes;
    size_t size;
    char reason[200];
    assert_int_equal(report_submission_encode(&in, &bytes, &size), 0);
    assert_int_equal(report_submission_decode(bytes, size, &out, reason, sizeof reason), 0);
    assert_string_equal(out.title, in.title);
    assert_string_equal(out.reporter_email, in.reporter_email);
    assert_true(out.has_coordinates);
    assert_true(out.lat == in.lat && out.lon == in.lon);
    assert_true(out.anonymous);
    assert_false(out.confidential);
    report_submission_clear(&out);
    free(bytes);

    report_submission_t minimal = {.idempotency_key = "k", .classification = "aspiration", .title = "t",
                                   .body = "b", .category = "PU", .region = "21", .channel = "api"};
    assert_int_equal(report_submission_encode(&minimal, &bytes, &size), 0);
    assert_int_equal(report_submission_decode(bytes, size, &out, reason, sizeof reason), 0);
    assert_null(out.address);
    assert_null(out.reporter_name);
    assert_false(out.has_coordinates);
    report_submission_clear(&out);
    free(bytes);
}

static void test_encoding_is_deterministic(void **state)
{
    (void) state;
    report_submission_t in = full_submission();
    unsigned char *a, *b;
    size_t na, nb;
    report_submission_encode(&in, &a, &na);
    report_submission_encode(&in, &b, &nb);
    assert_int_equal(na, nb);
    assert_memory_equal(a, b, na);
    free(a);
    free(b);
}

static void test_truncations_and_mutations_never_leak_or_crash(void **state)
{
    (void) state;
    report_submission_t in = full_submission(), out;
    unsigned char *bytes;
    size_t size;
    char reason[200];
    report_submission_encode(&in, &bytes, &size);
    for (size_t cut = 0; cut < size; cut++)
        assert_int_equal(report_submission_decode(bytes, cut, &out, reason, sizeof reason), -1);
    srand(11);
    for (int i = 0; i < 20000; i++) {
        unsigned char *copy = malloc(size);
        memcpy(copy, bytes, size);
        copy[rand() % size] = (unsigned char) rand();
        if (report_submission_decode(copy, size, &out, reason, sizeof reason) == 0)
            report_submission_clear(&out);
        free(copy);
    }
    free(bytes);
}

static void test_missing_required_and_lone_coordinate(void **state)
{
    (void) state;
    report_submission_t in = full_submission(), out;
    in.title = NULL;
    unsigned char *bytes;
    size_t size;
    char reason[200];
    report_submission_encode(&in, &bytes, &size);
    assert_int_equal(report_submission_decode(bytes, size, &out, reason, sizeof reason), -1);
    assert_non_null(strstr(reason, "'title' is required"));
    free(bytes);
    /* {"lat": 1.0} alone among valid fields is refused: coordinates go in pairs */
    static const unsigned char lone[] = {0x81, 0xa3, 'l', 'a', 't', 0xcb, 0x3f, 0xf0, 0, 0, 0, 0, 0, 0};
    assert_int_equal(report_submission_decode(lone, sizeof lone, &out, reason, sizeof reason), -1);
    assert_non_null(strstr(reason, "go together"));
}

static void test_invalid_utf8_string_is_refused(void **state)
{
    (void) state;
    report_lookup_t in = {"AAAA-BBBB-CCCC", NULL}, out;
    unsigned char *bytes;
    size_t size;
    char reason[200];
    report_lookup_encode(&in, &bytes, &size);
    unsigned char *at = memchr(bytes, 'B', size);
    *at = 0xff;
    assert_int_equal(report_lookup_decode(bytes, size, &out, reason, sizeof reason), -1);
    assert_non_null(strstr(reason, "UTF-8"));
    free(bytes);
}

static void test_view_with_actions_round_trip(void **state)
{
    (void) state;
    report_action_t actions[2] = {{1000, "submitted", "reporter", "waiting_verification", NULL},
                                  {2000, "verified", "national_admin", "dispatched", "ok"}};
    report_view_t in = {.tracking_id = "AAAA-BBBB-CCCC", .classification = "complaint", .status = "dispatched",
                        .confidential = true, .content_hidden = true, .category = "PU", .region = "21",
                        .channel = "web", .submitted_at_ms = 1000, .updated_at_ms = 2000, .action_count = 2,
                        .actions = actions, .deadline_kind = "follow_up", .has_deadline = true,
                        .deadline_due_ms = 1765472400000};
    unsigned char *bytes;
    size_t size;
    char reason[200];
    report_view_t out;
    assert_int_equal(report_view_encode(&in, &bytes, &size), 0);
    assert_int_equal(report_view_decode(bytes, size, &out, reason, sizeof reason), 0);
    assert_int_equal(out.action_count, 2);
    assert_string_equal(out.actions[1].note, "ok");
    assert_null(out.actions[0].note);
    assert_null(out.title);
    assert_true(out.content_hidden);
    assert_string_equal(out.deadline_kind, "follow_up");
    assert_true(out.has_deadline);
    assert_int_equal(out.deadline_due_ms, 1765472400000);
    report_view_clear(&out);
    for (size_t cut = 0; cut < size; cut++)
        assert_int_equal(report_view_decode(bytes, cut, &out, reason, sizeof reason), -1);
    free(bytes);
}

static void test_reference_list_and_error_reply(void **state)
{
    (void) state;
    reference_entry_t items[2] = {{"21", "Kepulauan Riau", NULL, "province", NULL},
                                  {"21.71", "Kota Batam", "21", "city", NULL}};
    reference_list_t in = {2, items}, out;
    unsigned char *bytes;
    size_t size;
    char reason[200];
    assert_int_equal(reference_list_encode(&in, &bytes, &size), 0);
    assert_int_equal(reference_list_decode(bytes, size, &out, reason, sizeof reason), 0);
    assert_int_equal(out.count, 2);
    assert_string_equal(out.items[1].parent_code, "21");
    assert_null(out.items[0].parent_code);
    reference_list_clear(&out);
    free(bytes);

    error_reply_t error = {.code = ERROR_INVALID, .detail = "bad"}, got;
    field_errors_add(&error.fields, "category", "unknown", "category 'X' does not exist");
    assert_int_equal(error_reply_encode(&error, &bytes, &size), 0);
    assert_int_equal(error_reply_decode(bytes, size, &got, reason, sizeof reason), 0);
    assert_string_equal(got.code, ERROR_INVALID);
    assert_int_equal(got.fields.count, 1);
    assert_string_equal(got.fields.items[0].field, "category");
    free(bytes);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_submission_round_trip_full_and_minimal),
        cmocka_unit_test(test_encoding_is_deterministic),
        cmocka_unit_test(test_truncations_and_mutations_never_leak_or_crash),
        cmocka_unit_test(test_missing_required_and_lone_coordinate),
        cmocka_unit_test(test_invalid_utf8_string_is_refused),
        cmocka_unit_test(test_view_with_actions_round_trip),
        cmocka_unit_test(test_reference_list_and_error_reply),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
