#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config_command_codec.h"

static void actor(config_command_t *c)
{
    memset(c, 0, sizeof *c);
    snprintf(c->actor_role, sizeof c->actor_role, "national_admin");
    snprintf(c->actor_username, sizeof c->actor_username, "nas");
    snprintf(c->actor_institution, sizeof c->actor_institution, "NASIONAL");
    c->actor_id = 7;
}

static void test_round_trip_keeps_fields_and_absent_ones(void **state)
{
    (void) state;
    char day[] = "2027-12-24", name[] = "Cuti bersama", code[] = "KES.RSUD", body[] = "{{tracking_id}}";
    config_command_t in;
    actor(&in);
    in.day = day;
    in.name = name;
    in.code = code;
    in.text_body = body;
    unsigned char *bytes = NULL;
    size_t size = 0;
    char reason[200];
    assert_int_equal(config_command_encode(&in, &bytes, &size), 0);
    config_command_t out;
    assert_int_equal(config_command_decode(bytes, size, &out, reason, sizeof reason), 0);
    assert_string_equal(out.actor_role, "national_admin");
    assert_string_equal(out.actor_username, "nas");
    assert_int_equal(out.actor_id, 7);
    assert_string_equal(out.day, day);
    assert_string_equal(out.name, name);
    assert_string_equal(out.code, code);
    assert_string_equal(out.text_body, body);
    assert_false(out.has_id);
    assert_null(out.kind);
    assert_null(out.institution);
    assert_null(out.html_body);
    config_command_clear(&out);
    assert_null(out.day);
    free(bytes);
}

static void test_id_and_a_missing_actor(void **state)
{
    (void) state;
    config_command_t in;
    actor(&in);
    in.id = 19;
    in.has_id = true;
    unsigned char *bytes = NULL;
    size_t size = 0;
    char reason[200] = "";
    assert_int_equal(config_command_encode(&in, &bytes, &size), 0);
    config_command_t out;
    assert_int_equal(config_command_decode(bytes, size, &out, reason, sizeof reason), 0);
    assert_true(out.has_id);
    assert_int_equal(out.id, 19);
    config_command_clear(&out);
    free(bytes);
    static const unsigned char empty_map[] = {0x80};
    assert_int_equal(config_command_decode(empty_map, sizeof empty_map, &out, reason, sizeof reason), -1);
    assert_non_null(strstr(reason, "actor_role"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_round_trip_keeps_fields_and_absent_ones),
        cmocka_unit_test(test_id_and_a_missing_actor),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
