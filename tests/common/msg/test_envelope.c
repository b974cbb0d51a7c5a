#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "envelope.h"

static envelope_t *sample(void)
{
    envelope_t *e = envelope_new(MSG_REPORT_SUBMIT, 1, "req-1", "trace-1");
    unsigned char *body = malloc(3);
    memcpy(body, "\x81\xa1x", 3);
    envelope_take_body(e, body, 3);
    return e;
}

static void test_round_trip(void **state)
{
    (void) state;
    envelope_t *e = sample();
    unsigned char *bytes;
    size_t size;
    assert_int_equal(envelope_encode(e, &bytes, &size), 0);
    char reason[200];
    envelope_t *d = envelope_decode(bytes, size, reason, sizeof reason);
    assert_non_null(d);
    assert_string_equal(d->type, MSG_REPORT_SUBMIT);
    assert_string_equal(d->id, "req-1");
    assert_string_equal(d->trace, "trace-1");
    assert_int_equal(d->version, 1);
    assert_int_equal(d->sent_at_ms, e->sent_at_ms);
    assert_int_equal(d->body_size, 3);
    assert_memory_equal(d->body, "\x81\xa1x", 3);
    free(bytes);
    envelope_destroy(&d);
    envelope_destroy(&e);
    assert_null(e);
}

static void test_every_truncation_fails_cleanly(void **state)
{
    (void) state;
    envelope_t *e = sample();
    unsigned char *bytes;
    size_t size;
    envelope_encode(e, &bytes, &size);
    char reason[200];
    for (size_t cut = 0; cut < size; cut++)
        assert_null(envelope_decode(bytes, cut, reason, sizeof reason));
    free(bytes);
    envelope_destroy(&e);
}

static void test_trailing_bytes_unknown_and_missing_keys(void **state)
{
    (void) state;
    envelope_t *e = sample();
    unsigned char *bytes;
    size_t size;
    envelope_encode(e, &bytes, &size);
    unsigned char *longer = malloc(size + 1);
    memcpy(longer, bytes, size);
    longer[size] = 0xc0;
    char reason[200];
    assert_null(envelope_decode(longer, size + 1, reason, sizeof reason));
    assert_non_null(strstr(reason, "trailing"));
    /* {"t":"x","v":1,"id":"a","trace":"b","at":1,"body":<bin>,"zz":1}: unknown key */
    static const unsigned char unknown[] = {0x87, 0xa1, 't', 0xa1, 'x', 0xa1, 'v', 0x01, 0xa2, 'i', 'd', 0xa1, 'a',
                                            0xa5, 't', 'r', 'a', 'c', 'e', 0xa1, 'b', 0xa2, 'a', 't', 0x01,
                                            0xa4, 'b', 'o', 'd', 'y', 0xc4, 0x00, 0xa2, 'z', 'z', 0x01};
    assert_null(envelope_decode(unknown, sizeof unknown, reason, sizeof reason));
    assert_non_null(strstr(reason, "unknown field 'zz'"));
    /* the same without "body" */
    static const unsigned char missing[] = {0x85, 0xa1, 't', 0xa1, 'x', 0xa1, 'v', 0x01, 0xa2, 'i', 'd', 0xa1, 'a',
                                            0xa5, 't', 'r', 'a', 'c', 'e', 0xa1, 'b', 0xa2, 'a', 't', 0x01};
    assert_null(envelope_decode(missing, sizeof missing, reason, sizeof reason));
    assert_non_null(strstr(reason, "body"));
    free(longer);
    free(bytes);
    envelope_destroy(&e);
}

static void test_wrong_types_and_duplicates(void **state)
{
    (void) state;
    char reason[200];
    /* "v" as a string */
    static const unsigned char wrong[] = {0x86, 0xa1, 't', 0xa1, 'x', 0xa1, 'v', 0xa1, '1', 0xa2, 'i', 'd', 0xa1, 'a',
                                          0xa5, 't', 'r', 'a', 'c', 'e', 0xa1, 'b', 0xa2, 'a', 't', 0x01,
                                          0xa4, 'b', 'o', 'd', 'y', 0xc4, 0x00};
    assert_null(envelope_decode(wrong, sizeof wrong, reason, sizeof reason));
    assert_non_null(strstr(reason, "'v'"));
    /* "t" twice */
    static const unsigned char twice[] = {0x87, 0xa1, 't', 0xa1, 'x', 0xa1, 't', 0xa1, 'y', 0xa1, 'v', 0x01, 0xa2, 'i',
                                          'd', 0xa1, 'a', 0xa5, 't', 'r', 'a', 'c', 'e', 0xa1, 'b', 0xa2, 'a', 't',
                                          0x01, 0xa4, 'b', 'o', 'd', 'y', 0xc4, 0x00};
    assert_null(envelope_decode(twice, sizeof twice, reason, sizeof reason));
    assert_non_null(strstr(reason, "duplicate"));
    /* a top-level array, and an array claiming 2^32-1 elements in 5 bytes */
    static const unsigned char array[] = {0x91, 0x01};
    assert_null(envelope_decode(array, sizeof array, reason, sizeof reason));
    static const unsigned char huge[] = {0xdd, 0xff, 0xff, 0xff, 0xff};
    assert_null(envelope_decode(huge, sizeof huge, reason, sizeof reason));
    assert_null(envelope_decode("", 0, reason, sizeof reason));
}

static void test_random_ids_and_mutations(void **state)
{
    (void) state;
    char a[ENVELOPE_ID_MAX + 1], b[ENVELOPE_ID_MAX + 1];
    envelope_random_id(a);
    envelope_random_id(b);
    assert_int_equal(strlen(a), 32);
    assert_string_not_equal(a, b);
    envelope_t *e = sample();
    unsigned char *bytes;
    size_t size;
    envelope_encode(e, &bytes, &size);
    srand(7);
    char reason[200];
    for (int i = 0; i < 20000; i++) {
        unsigned char *copy = malloc(size);
        memcpy(copy, bytes, size);
        for (int k = 0; k < 1 + rand() % 3; k++)
            copy[rand() % size] = (unsigned char) rand();
        envelope_t *d = envelope_decode(copy, size, reason, sizeof reason);
        envelope_destroy(&d);
        free(copy);
    }
    free(bytes);
    envelope_destroy(&e);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_round_trip),
        cmocka_unit_test(test_every_truncation_fails_cleanly),
        cmocka_unit_test(test_trailing_bytes_unknown_and_missing_keys),
        cmocka_unit_test(test_wrong_types_and_duplicates),
        cmocka_unit_test(test_random_ids_and_mutations),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
