#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <malloc.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "msgpack_fields.h"

typedef struct {
    char *name;
    int64_t count;
    bool has_count;
} sample_t;

static const mpf_field_t sample_fields[] = {
    {"name", MPF_STR, true, 0, offsetof(sample_t, name), MPF_NO_FLAG},
    {"count", MPF_INT, false, 0, offsetof(sample_t, count), offsetof(sample_t, has_count)},
};

/* A message of a few bytes is handed over in a few hundred at most: the 8 kB msgpack-c starts
 * with, held by each of a batch's messages, grew the heap by a quarter of a MB a batch. */
static void test_a_short_message_holds_no_8_kB_buffer(void **state)
{
    (void) state;
    sample_t in = {"pendek", 7, true};
    unsigned char *bytes = NULL;
    size_t size = 0;
    assert_int_equal(mpf_encode(sample_fields, MPF_COUNT(sample_fields), &in, &bytes, &size), 0);
    assert_in_range(malloc_usable_size(bytes), size, 1024);

    sample_t out = {0};
    char reason[200];
    assert_int_equal(mpf_decode(bytes, size, sample_fields, MPF_COUNT(sample_fields), &out, reason, sizeof reason), 0);
    assert_string_equal(out.name, "pendek");
    assert_true(out.has_count);
    assert_int_equal(out.count, 7);
    mpf_free_strings(sample_fields, MPF_COUNT(sample_fields), &out);
    free(bytes);
}

/* A message longer than the first buffer grows it and comes out whole. */
static void test_a_long_message_grows_the_buffer(void **state)
{
    (void) state;
    size_t length = 20000;
    char *name = malloc(length + 1);
    assert_non_null(name);
    memset(name, 'a', length);
    name[length] = '\0';
    sample_t in = {name, 0, false};
    unsigned char *bytes = NULL;
    size_t size = 0;
    assert_int_equal(mpf_encode(sample_fields, MPF_COUNT(sample_fields), &in, &bytes, &size), 0);
    assert_true(size > length);

    sample_t out = {0};
    char reason[200];
    assert_int_equal(mpf_decode(bytes, size, sample_fields, MPF_COUNT(sample_fields), &out, reason, sizeof reason), 0);
    assert_string_equal(out.name, name);
    assert_false(out.has_count);
    mpf_free_strings(sample_fields, MPF_COUNT(sample_fields), &out);
    free(bytes);
    free(name);
}

/* A writer given up on keeps nothing, and an empty one hands nothing over. */
static void test_a_discarded_writer_keeps_nothing(void **state)
{
    (void) state;
    mpf_writer_t writer;
    mpf_writer_init(&writer);
    msgpack_pack_map(&writer.packer, 0);
    mpf_writer_discard(&writer);
    unsigned char *bytes = NULL;
    size_t size = 0;
    assert_int_equal(mpf_writer_finish(&writer, &bytes, &size), -1);
    assert_null(bytes);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_a_short_message_holds_no_8_kB_buffer),
        cmocka_unit_test(test_a_long_message_grows_the_buffer),
        cmocka_unit_test(test_a_discarded_writer_keeps_nothing),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
