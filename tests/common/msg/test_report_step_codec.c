#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "msgpack_fields.h"
#include "report_step_codec.h"

static void test_step_round_trip_keeps_optional_flags_apart(void **state)
{
    (void) state;
    report_step_t in = {.tracking_id = "0D8S-26ZD-CT4T", .action = "verify", .actor_role = "national_admin",
                        .actor_id = "nas", .actor_institution = "NASIONAL", .title = "Judul baru",
                        .has_confidential = true, .confidential = true, .has_anonymous = true, .anonymous = false};
    unsigned char *bytes = NULL;
    size_t size = 0;
    char reason[200];
    assert_int_equal(report_step_encode(&in, &bytes, &size), 0);
    report_step_t out;
    assert_int_equal(report_step_decode(bytes, size, &out, reason, sizeof reason), 0);
    assert_string_equal(out.tracking_id, in.tracking_id);
    assert_string_equal(out.title, "Judul baru");
    assert_null(out.note);
    assert_true(out.has_confidential && out.confidential);
    assert_true(out.has_anonymous && !out.anonymous);   /* present and false is not absent */
    assert_false(out.has_field_supervision);
    report_step_clear(&out);
    free(bytes);
}

static void test_step_decoder_refuses_missing_actor_and_long_notes(void **state)
{
    (void) state;
    char reason[200];
    report_step_t out;
    report_step_t no_actor = {.tracking_id = "0D8S-26ZD-CT4T", .action = "verify"};
    unsigned char *bytes = NULL;
    size_t size = 0;
    /* Encoding writes what is there; the decoder insists on the required actor role. */
    assert_int_equal(report_step_encode(&no_actor, &bytes, &size), 0);
    assert_int_equal(report_step_decode(bytes, size, &out, reason, sizeof reason), -1);
    assert_non_null(strstr(reason, "actor_role"));
    free(bytes);
    char *note = malloc(REPORT_STEP_NOTE_MAX + 2);
    memset(note, 'a', REPORT_STEP_NOTE_MAX + 1);
    note[REPORT_STEP_NOTE_MAX + 1] = '\0';
    report_step_t long_note = {.tracking_id = "0D8S-26ZD-CT4T", .action = "follow_up", .actor_role = "unit_liaison",
                               .note = note};
    assert_int_equal(report_step_encode(&long_note, &bytes, &size), 0);
    assert_int_equal(report_step_decode(bytes, size, &out, reason, sizeof reason), -1);
    assert_non_null(strstr(reason, "note"));
    free(bytes);
    free(note);
}

static void test_truncated_messages_are_refused(void **state)
{
    (void) state;
    report_outcome_t in = {"0D8S-26ZD-CT4T", "verify", "verified", "not_yet_followed_up", "KOTA-21.71", 1764000000000};
    unsigned char *bytes = NULL;
    size_t size = 0;
    char reason[200];
    assert_int_equal(report_outcome_encode(&in, &bytes, &size), 0);
    report_outcome_t out;
    assert_int_equal(report_outcome_decode(bytes, size, &out, reason, sizeof reason), 0);
    assert_int_equal(out.at_ms, in.at_ms);
    assert_string_equal(out.institution, "KOTA-21.71");
    report_outcome_clear(&out);
    for (size_t cut = 0; cut < size; cut++)
        assert_int_equal(report_outcome_decode(bytes, cut, &out, reason, sizeof reason), -1);
    free(bytes);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_step_round_trip_keeps_optional_flags_apart),
        cmocka_unit_test(test_step_decoder_refuses_missing_actor_and_long_notes),
        cmocka_unit_test(test_truncated_messages_are_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
