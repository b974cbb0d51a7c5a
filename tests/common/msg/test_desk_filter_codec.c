#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "desk_filter_codec.h"
#include "msgpack_fields.h"

/* Encodes `in` and decodes it into *out (cleared by the caller). */
static void round_trip(const desk_filter_command_t *in, desk_filter_command_t *out)
{
    unsigned char *bytes = NULL;
    size_t size = 0;
    char reason[200];
    assert_int_equal(desk_filter_command_encode(in, &bytes, &size), 0);
    assert_int_equal(desk_filter_command_decode(bytes, size, out, reason, sizeof reason), 0);
    free(bytes);
}

static void test_save_round_trip_keeps_the_name_and_the_filters(void **state)
{
    (void) state;
    char name[] = "Jalan di Batam — minggu ini", filters[] = "{\"category\":\"JALAN.BERLUBANG\",\"region\":\"21.71\"}";
    desk_filter_command_t in = {.staff_id = 42, .name = name, .filters = filters}, out;
    round_trip(&in, &out);
    assert_int_equal(out.staff_id, 42);
    assert_string_equal(out.name, name);
    assert_string_equal(out.filters, filters);
    assert_false(out.has_id);   /* absent is not id 0 */
    desk_filter_command_clear(&out);
    assert_null(out.name);
    assert_null(out.filters);
}

static void test_delete_round_trip_keeps_the_id_and_no_strings(void **state)
{
    (void) state;
    desk_filter_command_t in = {.staff_id = 7, .id = 9000000000LL, .has_id = true}, out;
    round_trip(&in, &out);
    assert_int_equal(out.staff_id, 7);
    assert_true(out.has_id);
    assert_int_equal(out.id, 9000000000LL);
    assert_null(out.name);
    assert_null(out.filters);
}

static void test_decode_refuses_a_command_without_a_member(void **state)
{
    (void) state;
    char reason[200] = "";
    /* {"name": "pagi"}: a save with no member to save it for */
    const unsigned char no_member[] = {0x81, 0xa4, 'n', 'a', 'm', 'e', 0xa4, 'p', 'a', 'g', 'i'};
    desk_filter_command_t out;
    assert_int_equal(desk_filter_command_decode(no_member, sizeof no_member, &out, reason, sizeof reason), -1);
    assert_non_null(strstr(reason, "staff_id"));
    assert_null(out.name);
}

static void test_decode_refuses_a_name_over_the_limit(void **state)
{
    (void) state;
    char *name = malloc(DESK_FILTER_NAME_MAX + 2);
    assert_non_null(name);
    memset(name, 'a', DESK_FILTER_NAME_MAX + 1);
    name[DESK_FILTER_NAME_MAX + 1] = '\0';
    desk_filter_command_t in = {.staff_id = 1, .name = name};
    unsigned char *bytes = NULL;
    size_t size = 0;
    char reason[200];
    assert_int_equal(desk_filter_command_encode(&in, &bytes, &size), 0);
    desk_filter_command_t out;
    assert_int_equal(desk_filter_command_decode(bytes, size, &out, reason, sizeof reason), -1);
    assert_null(out.name);
    free(bytes);
    free(name);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_save_round_trip_keeps_the_name_and_the_filters),
        cmocka_unit_test(test_delete_round_trip_keeps_the_id_and_no_strings),
        cmocka_unit_test(test_decode_refuses_a_command_without_a_member),
        cmocka_unit_test(test_decode_refuses_a_name_over_the_limit),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
