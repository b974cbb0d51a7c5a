#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "msgpack_fields.h"
#include "notify_command_codec.h"
#include "reporter_preferences_codec.h"

static void actor(notify_command_t *c)
{
    memset(c, 0, sizeof *c);
    snprintf(c->actor.role, sizeof c->actor.role, "institution_admin");
    snprintf(c->actor.username, sizeof c->actor.username, "kota");
    snprintf(c->actor.institution, sizeof c->actor.institution, "KOTA.BATAM");
    c->actor.id = 42;
}

static void test_command_round_trip_keeps_event_types_and_absent_fields(void **state)
{
    (void) state;
    char url[] = "https://example.org/hook", first[] = "report.submitted", second[] = "report.closed";
    notify_command_t in;
    actor(&in);
    in.url = url;
    in.event_types[0] = first;
    in.event_types[1] = second;
    in.limit = 50;
    unsigned char *bytes = NULL;
    size_t size = 0;
    char reason[200];
    assert_int_equal(notify_command_encode(&in, &bytes, &size), 0);
    notify_command_t out;
    assert_int_equal(notify_command_decode(bytes, size, &out, reason, sizeof reason), 0);
    assert_string_equal(out.actor.role, "institution_admin");
    assert_string_equal(out.actor.institution, "KOTA.BATAM");
    assert_int_equal(out.actor.id, 42);
    assert_string_equal(out.url, url);
    assert_string_equal(out.event_types[0], first);
    assert_string_equal(out.event_types[1], second);
    assert_null(out.event_types[2]);
    assert_false(out.has_id);           /* absent is not id 0 */
    assert_null(out.institution);
    assert_null(out.delivery_id);
    assert_int_equal(out.limit, 50);
    notify_command_clear(&out);
    free(bytes);
}

static void test_command_with_id_and_no_event_types(void **state)
{
    (void) state;
    notify_command_t in;
    actor(&in);
    in.id = 7;
    in.has_id = true;
    unsigned char *bytes = NULL;
    size_t size = 0;
    char reason[200];
    assert_int_equal(notify_command_encode(&in, &bytes, &size), 0);
    notify_command_t out;
    assert_int_equal(notify_command_decode(bytes, size, &out, reason, sizeof reason), 0);
    assert_true(out.has_id);
    assert_int_equal(out.id, 7);
    assert_null(out.event_types[0]);
    notify_command_clear(&out);
    free(bytes);
}

/* A map of the actor and whatever `extra` writes (count entries). */
static int encode_with(void (*extra)(msgpack_packer *), uint32_t count, unsigned char **bytes, size_t *size)
{
    mpf_writer_t w;
    mpf_writer_init(&w);
    msgpack_pack_map(&w.packer, 7 + count);
    const char *keys[] = {"actor_role", "actor_username", "actor_institution"};
    for (int i = 0; i < 3; i++) {
        mpf_write_str(&w.packer, keys[i]);
        mpf_write_str(&w.packer, "x");
    }
    mpf_write_str(&w.packer, "actor_id");
    msgpack_pack_int64(&w.packer, 1);
    mpf_write_str(&w.packer, "unread_only");
    msgpack_pack_false(&w.packer);
    mpf_write_str(&w.packer, "limit");
    msgpack_pack_uint32(&w.packer, 1);
    mpf_write_str(&w.packer, "offset");
    msgpack_pack_uint32(&w.packer, 0);
    if (extra)
        extra(&w.packer);
    return mpf_writer_finish(&w, bytes, size);
}

static void too_many_types(msgpack_packer *p)
{
    mpf_write_str(p, "event_types");
    msgpack_pack_array(p, NOTIFY_EVENT_TYPES_MAX + 1);
    for (int i = 0; i <= NOTIFY_EVENT_TYPES_MAX; i++)
        mpf_write_str(p, "report.closed");
}

static void type_not_a_string(msgpack_packer *p)
{
    mpf_write_str(p, "event_types");
    msgpack_pack_array(p, 2);
    mpf_write_str(p, "report.closed");
    msgpack_pack_int64(p, 3);
}

static void unknown_key(msgpack_packer *p)
{
    mpf_write_str(p, "secret");
    mpf_write_str(p, "x");
}

static void id_as_text(msgpack_packer *p)
{
    mpf_write_str(p, "id");
    mpf_write_str(p, "7");
}

static void long_delivery_id(msgpack_packer *p)
{
    mpf_write_str(p, "delivery_id");
    mpf_write_str(p, "0123456789abcdef0123456789abcdef0");
}

static void test_command_decoder_is_strict(void **state)
{
    (void) state;
    struct { void (*extra)(msgpack_packer *); const char *names; } bad[] = {
        {too_many_types, "event_types"}, {type_not_a_string, "event_types"}, {unknown_key, "secret"},
        {id_as_text, "id"}, {long_delivery_id, "delivery_id"},
    };
    unsigned char *bytes = NULL;
    size_t size = 0;
    char reason[200];
    notify_command_t out;
    assert_int_equal(encode_with(NULL, 0, &bytes, &size), 0);
    assert_int_equal(notify_command_decode(bytes, size, &out, reason, sizeof reason), 0);   /* the base is sound */
    notify_command_clear(&out);
    free(bytes);
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        assert_int_equal(encode_with(bad[i].extra, 1, &bytes, &size), 0);
        assert_int_equal(notify_command_decode(bytes, size, &out, reason, sizeof reason), -1);
        assert_non_null(strstr(reason, bad[i].names));
        assert_null(out.event_types[0]);   /* nothing left allocated */
        free(bytes);
    }
    for (size_t cut = 1; cut < 8; cut++) {   /* truncated and missing-field messages */
        assert_int_equal(encode_with(NULL, 0, &bytes, &size), 0);
        assert_int_equal(notify_command_decode(bytes, size - cut, &out, reason, sizeof reason), -1);
        free(bytes);
    }
}

static void test_preferences_round_trip_and_strictness(void **state)
{
    (void) state;
    char tracking_id[] = "0D8S-26ZD-CT4T", token[] = "a-token", language[] = "en";
    reporter_preferences_t in = {tracking_id, token, true, false, language};
    unsigned char *bytes = NULL;
    size_t size = 0;
    char reason[200];
    assert_int_equal(reporter_preferences_encode(&in, &bytes, &size), 0);
    reporter_preferences_t out;
    assert_int_equal(reporter_preferences_decode(bytes, size, &out, reason, sizeof reason), 0);
    assert_true(out.has_enabled && !out.enabled);   /* "off" is not "unchanged" */
    assert_string_equal(out.language, "en");
    reporter_preferences_clear(&out);
    free(bytes);
    in.has_enabled = false;
    in.language = NULL;
    assert_int_equal(reporter_preferences_encode(&in, &bytes, &size), 0);
    assert_int_equal(reporter_preferences_decode(bytes, size, &out, reason, sizeof reason), 0);
    assert_false(out.has_enabled);
    assert_null(out.language);
    reporter_preferences_clear(&out);
    free(bytes);
    char long_language[] = "eng";
    in.language = long_language;
    assert_int_equal(reporter_preferences_encode(&in, &bytes, &size), 0);
    assert_int_equal(reporter_preferences_decode(bytes, size, &out, reason, sizeof reason), -1);
    free(bytes);
    reporter_preferences_set_t set = {tracking_id, true, language}, got;
    assert_int_equal(reporter_preferences_set_encode(&set, &bytes, &size), 0);
    assert_int_equal(reporter_preferences_decode(bytes, size, &out, reason, sizeof reason), -1);  /* no token */
    assert_int_equal(reporter_preferences_set_decode(bytes, size, &got, reason, sizeof reason), 0);
    assert_true(got.enabled);
    assert_string_equal(got.tracking_id, tracking_id);
    reporter_preferences_set_clear(&got);
    free(bytes);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_command_round_trip_keeps_event_types_and_absent_fields),
        cmocka_unit_test(test_command_with_id_and_no_event_types),
        cmocka_unit_test(test_command_decoder_is_strict),
        cmocka_unit_test(test_preferences_round_trip_and_strictness),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
