#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "report_events.h"
#include "report_lifecycle.h"

#define TITLE "Jalan berlubang di depan pasar"
#define BODY "Lubang besar di jalan depan Pasar Jodoh"
#define ADDRESS "Jl. Raden Patah"
#define NAME "Siti Rahmawati"
#define EMAIL "siti.rahma@example.org"
#define PHONE "+62 812-7000-1234"
#define NOTE "Mohon lampirkan foto"

/* Payloads are msgpack, whose strings are their bytes: a text absent from the bytes is absent. */
static bool carries(const event_t *e, const char *text)
{
    size_t n = strlen(text);
    for (size_t i = 0; i + n <= e->payload_size; i++)
        if (memcmp(e->payload + i, text, n) == 0)
            return true;
    return false;
}

static void test_submitted_carries_codes_only(void **state)
{
    (void) state;
    report_submission_t s = {
        .classification = "complaint", .title = TITLE, .body = BODY, .category = "JALAN.BERLUBANG",
        .region = "21.71", .incident_date = "2026-11-20", .address = ADDRESS, .has_coordinates = true,
        .lat = 1.1456, .lon = 104.0113, .target_institution = "KOTA-21.71", .reporter_name = NAME,
        .reporter_email = EMAIL, .reporter_phone = PHONE, .channel = "web",
    };
    event_t e;
    assert_int_equal(report_events_submitted(&s, 7, "LPR-1", "waiting_verification", &e), 0);
    assert_int_equal(e.version, REPORT_SUBMITTED_VERSION);
    assert_true(carries(&e, "JALAN.BERLUBANG") && carries(&e, "KOTA-21.71"));
    const char *withheld[] = {TITLE, BODY, ADDRESS, "2026-11-20", NAME, EMAIL, PHONE, "lat", "reporter"};
    for (size_t i = 0; i < sizeof withheld / sizeof withheld[0]; i++)
        assert_false(carries(&e, withheld[i]));
    event_clear(&e);
}

static void transition(const char *type, const char *status, bool confidential, event_t *e)
{
    report_transition_t t = {
        .type = type, .action = "act", .status = status, .previous_status = "waiting_verification",
        .public_status = "x", .classification = "complaint", .category = "JALAN.BERLUBANG",
        .confidential = confidential, .note = NOTE, .title = TITLE, .body = BODY, .address = ADDRESS,
        .incident_date = "2026-11-20", .has_coordinates = true, .lat = 1.5, .lon = 104.5,
    };
    report_event_origin_t origin = {7, "LPR-1", "national_admin", "nas", 1};
    assert_int_equal(report_events_transition(&t, &origin, e), 0);
    assert_int_equal(e->version, REPORT_TRANSITION_VERSION);
}

static void test_content_only_once_settled_and_not_confidential(void **state)
{
    (void) state;
    const char *content[] = {NOTE, TITLE, BODY, ADDRESS, "2026-11-20", "lat"};
    struct { const char *type, *status; bool confidential, shown; } cases[] = {
        {"report.verified", "verified", false, true},
        {"report.verified", "verified", true, false},
        {"report.postponed", "postponed", false, false},
        {"report.data_added", "waiting_verification", false, false},
        {"report.followed_up", "in_process", true, false},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        event_t e;
        transition(cases[i].type, cases[i].status, cases[i].confidential, &e);
        for (size_t j = 0; j < sizeof content / sizeof content[0]; j++)
            assert_int_equal(carries(&e, content[j]), cases[i].shown);
        event_clear(&e);
    }
}

static void test_privacy_is_settled_once_the_desk_is_left(void **state)
{
    (void) state;
    assert_false(lifecycle_privacy_settled("waiting_verification"));
    assert_false(lifecycle_privacy_settled("postponed"));
    assert_false(lifecycle_privacy_settled(NULL));
    assert_true(lifecycle_privacy_settled("verified"));
    assert_true(lifecycle_privacy_settled("archived"));
    assert_true(lifecycle_privacy_settled("in_process"));
}

/* The reporter's added file: its number on the report and nothing of the file; the event is what
 * ends a gateway's kept view of the report. */
static void test_attachment_added_carries_its_number_only(void **state)
{
    (void) state;
    event_t e;
    assert_int_equal(report_events_attachment_added(7, "LPR-1", 3, &e), 0);
    assert_string_equal(e.type, EVENT_ATTACHMENT_ADDED);
    assert_int_equal(e.version, REPORT_ATTACHMENT_ADDED_VERSION);
    assert_int_equal(e.report_id, 7);
    assert_string_equal(e.tracking_id, "LPR-1");
    assert_string_equal(e.actor_role, "reporter");
    static const unsigned char number_3[] = {0x81, 0xa6, 'n', 'u', 'm', 'b', 'e', 'r', 0x03};
    assert_int_equal(e.payload_size, sizeof number_3);
    assert_memory_equal(e.payload, number_3, sizeof number_3);
    event_clear(&e);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_submitted_carries_codes_only),
        cmocka_unit_test(test_content_only_once_settled_and_not_confidential),
        cmocka_unit_test(test_privacy_is_settled_once_the_desk_is_left),
        cmocka_unit_test(test_attachment_added_carries_its_number_only),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
