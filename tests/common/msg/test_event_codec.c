#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "event_codec.h"

/* {"title": "x", "n": [1, {"deep": true}]} */
static const unsigned char PAYLOAD[] = {0x82, 0xa5, 't', 'i', 't', 'l', 'e', 0xa1, 'x', 0xa1, 'n', 0x92, 0x01,
                                        0x81, 0xa4, 'd', 'e', 'e', 'p', 0xc3};

static event_t sample(int64_t seq)
{
    event_t e = {.seq = seq, .prev = seq - 1, .id = "0123456789abcdef0123456789abcdef", .type = "report.submitted",
                 .version = 1, .occurred_at_ms = 1764000000000, .report_id = 99, .tracking_id = "AAAA-BBBB-CCCC",
                 .actor_role = "reporter", .payload = (unsigned char *) PAYLOAD, .payload_size = sizeof PAYLOAD};
    return e;
}

static void test_event_round_trip_keeps_the_payload_and_drops_report_id(void **state)
{
    (void) state;
    event_t in = sample(7), out;
    unsigned char *bytes;
    size_t size;
    char reason[200];
    assert_int_equal(event_encode(&in, &bytes, &size), 0);
    assert_int_equal(event_decode(bytes, size, &out, reason, sizeof reason), 0);
    assert_int_equal(out.seq, 7);
    assert_int_equal(out.prev, 6);
    assert_string_equal(out.tracking_id, "AAAA-BBBB-CCCC");
    assert_null(out.institution);
    assert_int_equal(out.report_id, 0);  /* internal: never on the wire */
    assert_int_equal(out.payload_size, sizeof PAYLOAD);
    assert_memory_equal(out.payload, PAYLOAD, sizeof PAYLOAD);
    json_t *doc = event_to_json(&out);
    json_t *n = json_object_get(json_object_get(doc, "payload"), "n");
    assert_true(json_is_true(json_object_get(json_array_get(n, 1), "deep")));
    assert_string_equal(json_string_value(json_object_get(doc, "report")), "AAAA-BBBB-CCCC");
    json_decref(doc);
    event_clear(&out);
    for (size_t cut = 0; cut < size; cut++)
        assert_int_equal(event_decode(bytes, cut, &out, reason, sizeof reason), -1);
    srand(3);
    for (int i = 0; i < 20000; i++) {
        unsigned char *copy = malloc(size);
        memcpy(copy, bytes, size);
        copy[rand() % size] = (unsigned char) rand();
        if (event_decode(copy, size, &out, reason, sizeof reason) == 0)
            event_clear(&out);
        free(copy);
    }
    free(bytes);
}

static void test_batch_heartbeat_and_replay_request(void **state)
{
    (void) state;
    event_batch_t in = {0, NULL, 0}, out;
    for (int i = 1; i <= 3; i++) {
        event_t e = sample(i);
        assert_int_equal(event_batch_push(&in, &e), 0);
    }
    in.head = 3;
    unsigned char *bytes;
    size_t size;
    char reason[200];
    assert_int_equal(event_batch_encode(&in, &bytes, &size), 0);
    assert_int_equal(event_batch_decode(bytes, size, &out, reason, sizeof reason), 0);
    assert_int_equal(out.count, 3);
    assert_int_equal(out.head, 3);
    assert_int_equal(out.items[2].seq, 3);
    event_batch_clear(&out);
    for (size_t cut = 0; cut < size; cut++)
        assert_int_equal(event_batch_decode(bytes, cut, &out, reason, sizeof reason), -1);
    event_batch_clear(&in);
    free(bytes);

    int64_t head, at;
    assert_int_equal(event_heartbeat_encode(42, 1000, &bytes, &size), 0);
    assert_int_equal(event_heartbeat_decode(bytes, size, &head, &at, reason, sizeof reason), 0);
    assert_int_equal(head, 42);
    free(bytes);

    event_replay_request_t want = {0, "report.", 5000}, got;
    assert_int_equal(event_replay_request_encode(&want, &bytes, &size), 0);
    assert_int_equal(event_replay_request_decode(bytes, size, &got, reason, sizeof reason), 0);
    assert_int_equal(got.from, 1);                 /* sequence numbers start at 1 */
    assert_int_equal(got.max, EVENT_REPLAY_MAX);   /* capped */
    assert_string_equal(got.prefix, "report.");
    event_replay_request_clear(&got);
    free(bytes);
}

static void test_payload_must_be_a_map(void **state)
{
    (void) state;
    static const unsigned char not_a_map[] = {0x91, 0x01};
    event_t in = sample(1), out;
    in.payload = (unsigned char *) not_a_map;
    in.payload_size = sizeof not_a_map;
    unsigned char *bytes;
    size_t size;
    char reason[200];
    assert_int_equal(event_encode(&in, &bytes, &size), 0);
    assert_int_equal(event_decode(bytes, size, &out, reason, sizeof reason), -1);
    assert_non_null(strstr(reason, "payload"));
    free(bytes);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_event_round_trip_keeps_the_payload_and_drops_report_id),
        cmocka_unit_test(test_batch_heartbeat_and_replay_request),
        cmocka_unit_test(test_payload_must_be_a_map),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
