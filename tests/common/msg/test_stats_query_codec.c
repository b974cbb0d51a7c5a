#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "msgpack_fields.h"
#include "stats_query_codec.h"

static char reason[256];

static void test_query_round_trip_keeps_every_filter_and_the_actor(void **state)
{
    (void) state;
    stats_query_t in = {.view = "rankings", .actor_role = "institution_admin", .actor_id = "kota",
                        .actor_institution = "KOTA-21.71", .group_by = "institution", .period = "day",
                        .from = "2026-01-01", .to = "2026-12-31", .institution = "KOTA-21.71.PUPR", .level = "unit",
                        .region = "21.71", .category = "JALAN", .classification = "complaint", .channel = "web",
                        .order = "speed", .min_reports = "abc"};
    unsigned char *bytes = NULL;
    size_t size = 0;
    assert_int_equal(stats_query_encode(&in, &bytes, &size), 0);
    stats_query_t out;
    assert_int_equal(stats_query_decode(bytes, size, &out, reason, sizeof reason), 0);
    const char *const sent[] = {in.view, in.actor_role, in.actor_id, in.actor_institution, in.group_by, in.period,
                                in.from, in.to, in.institution, in.level, in.region, in.category,
                                in.classification, in.channel, in.order, in.min_reports};
    const char *const got[] = {out.view, out.actor_role, out.actor_id, out.actor_institution, out.group_by,
                               out.period, out.from, out.to, out.institution, out.level, out.region, out.category,
                               out.classification, out.channel, out.order, out.min_reports};
    for (size_t i = 0; i < sizeof sent / sizeof sent[0]; i++)
        assert_string_equal(got[i], sent[i]);
    stats_query_clear(&out);
    free(bytes);
}

static void test_public_query_has_no_actor_and_absent_filters(void **state)
{
    (void) state;
    stats_query_t in = {.view = "summary", .region = "21.72"};
    unsigned char *bytes = NULL;
    size_t size = 0;
    assert_int_equal(stats_query_encode(&in, &bytes, &size), 0);
    stats_query_t out;
    assert_int_equal(stats_query_decode(bytes, size, &out, reason, sizeof reason), 0);
    assert_null(out.actor_role);
    assert_null(out.institution);
    assert_string_equal(out.region, "21.72");
    stats_query_clear(&out);
    free(bytes);
}

/* Encodes `in` and expects the decoder to refuse it, naming `field` in the reason. */
static void refuse_query(const stats_query_t *in, const char *field)
{
    unsigned char *bytes = NULL;
    size_t size = 0;
    stats_query_t out;
    assert_int_equal(stats_query_encode(in, &bytes, &size), 0);
    assert_int_equal(stats_query_decode(bytes, size, &out, reason, sizeof reason), -1);
    assert_non_null(strstr(reason, field));
    free(bytes);
}

static void test_query_decoder_refuses_unknown_views_half_actors_and_long_values(void **state)
{
    (void) state;
    refuse_query(&(stats_query_t) {.view = "everything"}, "view");
    refuse_query(&(stats_query_t) {.view = "summary", .actor_role = "national_admin"}, "actor_role");
    char long_value[STATS_QUERY_TEXT_MAX + 2];
    memset(long_value, '1', sizeof long_value - 1);
    long_value[sizeof long_value - 1] = '\0';
    refuse_query(&(stats_query_t) {.view = "summary", .from = long_value}, "from");
    refuse_query(&(stats_query_t) {.region = "21.71"}, "view");
}

static void test_query_decoder_refuses_unknown_keys_and_wrong_types(void **state)
{
    (void) state;
    mpf_writer_t writer;
    mpf_writer_init(&writer);
    msgpack_pack_map(&writer.packer, 2);
    mpf_write_str(&writer.packer, "view");
    mpf_write_str(&writer.packer, "summary");
    mpf_write_str(&writer.packer, "tenant");
    mpf_write_str(&writer.packer, "x");
    unsigned char *bytes = NULL;
    size_t size = 0;
    assert_int_equal(mpf_writer_finish(&writer, &bytes, &size), 0);
    stats_query_t out;
    assert_int_equal(stats_query_decode(bytes, size, &out, reason, sizeof reason), -1);
    assert_non_null(strstr(reason, "tenant"));
    free(bytes);
    mpf_writer_init(&writer);
    msgpack_pack_map(&writer.packer, 1);
    mpf_write_str(&writer.packer, "view");
    msgpack_pack_int(&writer.packer, 3);
    assert_int_equal(mpf_writer_finish(&writer, &bytes, &size), 0);
    assert_int_equal(stats_query_decode(bytes, size, &out, reason, sizeof reason), -1);
    free(bytes);
}

static void test_document_and_recorded_round_trip(void **state)
{
    (void) state;
    stats_document_t doc = {.json = "{\"groups\":[]}"};
    unsigned char *bytes = NULL;
    size_t size = 0;
    assert_int_equal(stats_document_encode(&doc, &bytes, &size), 0);
    stats_document_t doc_out;
    assert_int_equal(stats_document_decode(bytes, size, &doc_out, reason, sizeof reason), 0);
    assert_string_equal(doc_out.json, doc.json);
    stats_document_clear(&doc_out);
    assert_null(doc_out.json);
    free(bytes);
    survey_recorded_t recorded = {.respondent = "reporter"}, recorded_out;
    assert_int_equal(survey_recorded_encode(&recorded, &bytes, &size), 0);
    assert_int_equal(survey_recorded_decode(bytes, size, &recorded_out, reason, sizeof reason), 0);
    assert_string_equal(recorded_out.respondent, "reporter");
    survey_recorded_clear(&recorded_out);
    free(bytes);
    /* A document is not a recorded answer: the strict decoders tell the replies apart. */
    assert_int_equal(stats_document_encode(&doc, &bytes, &size), 0);
    assert_int_equal(survey_recorded_decode(bytes, size, &recorded_out, reason, sizeof reason), -1);
    free(bytes);
}

static void test_answer_round_trip_of_both_respondents(void **state)
{
    (void) state;
    survey_answer_t reporter = {.tracking_id = "0D8S-26ZD-CT4T", .reporter_token = "secret",
                                .answers = {4, 4, 3, 4, 0, 4, 4, 3, 4}};
    survey_answer_t user = {.institution = "KOTA-21.72.DINSOS", .code = "kode-survei",
                            .answers = {1, 0, 0, 0, 0, 0, 0, 0, 2}};
    const survey_answer_t *sent[] = {&reporter, &user};
    for (size_t i = 0; i < 2; i++) {
        unsigned char *bytes = NULL;
        size_t size = 0;
        survey_answer_t out;
        assert_int_equal(survey_answer_encode(sent[i], &bytes, &size), 0);
        assert_int_equal(survey_answer_decode(bytes, size, &out, reason, sizeof reason), 0);
        assert_memory_equal(out.answers, sent[i]->answers, sizeof out.answers);
        assert_true((out.tracking_id != NULL) == (sent[i]->tracking_id != NULL));
        assert_true((out.institution != NULL) == (sent[i]->institution != NULL));
        survey_answer_clear(&out);
        free(bytes);
    }
}

static void refuse_answer(const survey_answer_t *in, const char *field)
{
    unsigned char *bytes = NULL;
    size_t size = 0;
    survey_answer_t out;
    assert_int_equal(survey_answer_encode(in, &bytes, &size), 0);
    assert_int_equal(survey_answer_decode(bytes, size, &out, reason, sizeof reason), -1);
    assert_non_null(strstr(reason, field));
    free(bytes);
}

static void test_answer_decoder_refuses_bad_answers_and_respondents(void **state)
{
    (void) state;
    refuse_answer(&(survey_answer_t) {.institution = "X", .answers = {5, 4, 4, 4, 4, 4, 4, 4, 4}}, "u1");
    refuse_answer(&(survey_answer_t) {.institution = "X", .answers = {0}}, "at least one");
    refuse_answer(&(survey_answer_t) {.institution = "X", .tracking_id = "T", .reporter_token = "t",
                                      .answers = {1}}, "exactly one respondent");
    refuse_answer(&(survey_answer_t) {.tracking_id = "T", .answers = {1}}, "exactly one respondent");
    refuse_answer(&(survey_answer_t) {.answers = {1}}, "exactly one respondent");
    refuse_answer(&(survey_answer_t) {.institution = "X", .answers = {1}}, "code");
    refuse_answer(&(survey_answer_t) {.tracking_id = "T", .reporter_token = "t", .code = "c", .answers = {1}}, "code");
}

static void test_survey_codes_round_trip_and_count_limits(void **state)
{
    (void) state;
    uint32_t counts[] = {0, 1, SURVEY_CODES_MAX, SURVEY_CODES_MAX + 1};
    for (size_t i = 0; i < sizeof counts / sizeof counts[0]; i++) {
        survey_codes_t in = {.actor_role = "institution_admin", .actor_id = "kota", .actor_institution = "KOTA-21.71",
                             .institution = "KOTA-21.71.PUPR", .count = counts[i]}, out;
        unsigned char *bytes = NULL;
        size_t size = 0;
        assert_int_equal(survey_codes_encode(&in, &bytes, &size), 0);
        int decoded = survey_codes_decode(bytes, size, &out, reason, sizeof reason);
        assert_int_equal(decoded, counts[i] >= 1 && counts[i] <= SURVEY_CODES_MAX ? 0 : -1);
        if (decoded == 0) {
            assert_string_equal(out.institution, "KOTA-21.71.PUPR");
            assert_int_equal(out.count, counts[i]);
            survey_codes_clear(&out);
        }
        free(bytes);
    }
}

static void test_truncated_answers_are_refused(void **state)
{
    (void) state;
    survey_answer_t in = {.institution = "KOTA-21.72", .answers = {1, 2, 3, 4, 1, 2, 3, 4, 1}};
    unsigned char *bytes = NULL;
    size_t size = 0;
    assert_int_equal(survey_answer_encode(&in, &bytes, &size), 0);
    for (size_t cut = 0; cut < size; cut++) {
        survey_answer_t out;
        assert_int_equal(survey_answer_decode(bytes, cut, &out, reason, sizeof reason), -1);
    }
    free(bytes);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_query_round_trip_keeps_every_filter_and_the_actor),
        cmocka_unit_test(test_public_query_has_no_actor_and_absent_filters),
        cmocka_unit_test(test_query_decoder_refuses_unknown_views_half_actors_and_long_values),
        cmocka_unit_test(test_query_decoder_refuses_unknown_keys_and_wrong_types),
        cmocka_unit_test(test_document_and_recorded_round_trip),
        cmocka_unit_test(test_answer_round_trip_of_both_respondents),
        cmocka_unit_test(test_answer_decoder_refuses_bad_answers_and_respondents),
        cmocka_unit_test(test_survey_codes_round_trip_and_count_limits),
        cmocka_unit_test(test_truncated_answers_are_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
