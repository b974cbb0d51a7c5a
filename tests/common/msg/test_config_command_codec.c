#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config_command_codec.h"
#include "msgpack_fields.h"

static void actor(config_command_t *c)
{
    memset(c, 0, sizeof *c);
    snprintf(c->actor.role, sizeof c->actor.role, "national_admin");
    snprintf(c->actor.username, sizeof c->actor.username, "nas");
    snprintf(c->actor.institution, sizeof c->actor.institution, "NASIONAL");
    c->actor.id = 7;
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
    assert_string_equal(out.actor.role, "national_admin");
    assert_string_equal(out.actor.username, "nas");
    assert_int_equal(out.actor.id, 7);
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

/* The actor is four flat keys of the command's map, as every sender and reader before the shared
 * actor type wrote and read them. */
static void test_the_actor_keeps_its_wire_keys(void **state)
{
    (void) state;
    config_command_t in;
    actor(&in);
    unsigned char *bytes = NULL;
    size_t size = 0;
    char reason[200] = "";
    assert_int_equal(config_command_encode(&in, &bytes, &size), 0);
    mpf_doc_t doc;
    assert_int_equal(mpf_doc_open(&doc, bytes, size, 2, reason, sizeof reason), 0);
    const msgpack_object *role = mpf_find(doc.root, "actor_role"), *id = mpf_find(doc.root, "actor_id");
    const msgpack_object *username = mpf_find(doc.root, "actor_username");
    const msgpack_object *institution = mpf_find(doc.root, "actor_institution");
    assert_true(role && role->type == MSGPACK_OBJECT_STR && role->via.str.size == strlen("national_admin"));
    assert_true(id && id->type == MSGPACK_OBJECT_POSITIVE_INTEGER && id->via.u64 == 7);
    assert_true(username && username->type == MSGPACK_OBJECT_STR && username->via.str.size == strlen("nas"));
    assert_true(institution && institution->type == MSGPACK_OBJECT_STR);
    assert_null(mpf_find(doc.root, "actor"));
    assert_int_equal(doc.root->via.map.size, 4);
    mpf_doc_close(&doc);
    free(bytes);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_round_trip_keeps_fields_and_absent_ones),
        cmocka_unit_test(test_id_and_a_missing_actor),
        cmocka_unit_test(test_the_actor_keeps_its_wire_keys),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
