#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "public_list_codec.h"
#include "support_codec.h"

static char reason[256];

static int decode_list(const public_list_query_t *in, public_list_query_t *out)
{
    unsigned char *bytes = NULL;
    size_t size = 0;
    assert_int_equal(public_list_query_encode(in, &bytes, &size), 0);
    int rc = public_list_query_decode(bytes, size, out, reason, sizeof reason);
    free(bytes);
    return rc;
}

static void test_list_round_trip_keeps_filters_and_position(void **state)
{
    (void) state;
    public_list_query_t in = {.q = "lampu", .category = "JALAN", .region = "21.71", .status = "in_process",
                              .from = "2026-01-01", .to = "2026-12-31", .has_position = true, .lat = 1.5,
                              .lon = 104.25, .limit = 100, .offset = 40}, out;
    assert_int_equal(decode_list(&in, &out), 0);
    assert_string_equal(out.q, "lampu");
    assert_string_equal(out.region, "21.71");
    assert_string_equal(out.to, "2026-12-31");
    assert_null(out.similar);
    assert_true(out.has_position);
    assert_true(out.lat == 1.5 && out.lon == 104.25);
    assert_int_equal(out.limit, 100);
    assert_int_equal(out.offset, 40);
    public_list_query_clear(&out);
}

static void test_list_limits_are_bounded_tighter_for_similar(void **state)
{
    (void) state;
    public_list_query_t out, in = {.limit = 101};
    assert_int_equal(decode_list(&in, &out), -1);
    in.limit = 0;
    assert_int_equal(decode_list(&in, &out), -1);
    in = (public_list_query_t) {.similar = "lampu jalan padam", .limit = PUBLIC_LIST_SIMILAR_MAX + 1};
    assert_int_equal(decode_list(&in, &out), -1);
    in.limit = PUBLIC_LIST_SIMILAR_MAX;
    assert_int_equal(decode_list(&in, &out), 0);
    assert_false(out.has_position);
    public_list_query_clear(&out);
}

static void test_list_cursor_round_trip_and_refused_beside_offset_or_similar(void **state)
{
    (void) state;
    public_list_query_t out, in = {.q = "banjir", .limit = 20, .has_after = true, .after_at = 1764633600123456,
                                   .after_id = 98765};
    assert_int_equal(decode_list(&in, &out), 0);
    assert_true(out.has_after);
    assert_true(out.after_at == 1764633600123456 && out.after_id == 98765);
    public_list_query_clear(&out);
    in.offset = 20;
    assert_int_equal(decode_list(&in, &out), -1);
    in = (public_list_query_t) {.similar = "lampu jalan padam", .limit = 5, .has_after = true, .after_id = 1};
    assert_int_equal(decode_list(&in, &out), -1);
    in.has_after = false;
    assert_int_equal(decode_list(&in, &out), 0);
    assert_false(out.has_after);
    public_list_query_clear(&out);
}

static void test_support_round_trip_and_short_supporter_refused(void **state)
{
    (void) state;
    support_request_t in = {.tracking_id = "K7M2-Q9XD-4HPA", .supporter = "0123456789abcdef"}, out;
    unsigned char *bytes = NULL;
    size_t size = 0;
    assert_int_equal(support_request_encode(&in, &bytes, &size), 0);
    assert_int_equal(support_request_decode(bytes, size, &out, reason, sizeof reason), 0);
    assert_string_equal(out.supporter, in.supporter);
    support_request_clear(&out);
    free(bytes);
    in.supporter = "0123456789abcde";
    assert_int_equal(support_request_encode(&in, &bytes, &size), 0);
    assert_int_equal(support_request_decode(bytes, size, &out, reason, sizeof reason), -1);
    free(bytes);
    support_count_t count = {7, true}, got;
    assert_int_equal(support_count_encode(&count, &bytes, &size), 0);
    assert_int_equal(support_count_decode(bytes, size, &got, reason, sizeof reason), 0);
    assert_int_equal(got.supports, 7);
    assert_true(got.counted);
    free(bytes);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_list_round_trip_keeps_filters_and_position),
        cmocka_unit_test(test_list_limits_are_bounded_tighter_for_similar),
        cmocka_unit_test(test_list_cursor_round_trip_and_refused_beside_offset_or_similar),
        cmocka_unit_test(test_support_round_trip_and_short_supporter_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
