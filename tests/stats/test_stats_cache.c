/* stats_cache: a document is served at the generation it was computed at, at a later one only
 * within the max age (0: never); the warmer is
 * offered each stale request once per generation, most recently asked first; bounds hold. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "stats_cache.h"

#define RECENT_MS 60000
#define COMPUTED_MS 1000000

static void put(stats_cache_t *cache, const char *key, int64_t generation, const char *json)
{
    assert_int_equal(stats_cache_put(cache, key, generation, COMPUTED_MS, json, key, strlen(key)), 0);
}

/* Asks `key` at `generation`, `age_ms` after the documents were computed, with `max_age_ms`. */
static void assert_got_aged(stats_cache_t *cache, const char *key, int64_t generation, int64_t age_ms,
                            int64_t max_age_ms, const char *expected)
{
    int64_t computed_ms = -1;
    char *json = stats_cache_get(cache, key, generation, COMPUTED_MS + age_ms, max_age_ms, &computed_ms);
    if (expected) {
        assert_string_equal(json, expected);
        assert_int_equal(computed_ms, COMPUTED_MS);
    } else
        assert_null(json);
    free(json);
}

static void assert_got(stats_cache_t *cache, const char *key, int64_t generation, const char *expected)
{
    assert_got_aged(cache, key, generation, 0, 0, expected);
}

static void test_a_document_is_served_only_at_its_generation(void **state)
{
    (void) state;
    stats_cache_t *cache = stats_cache_new(8, 1 << 20);
    put(cache, "summary", 7, "{\"received\":3}");
    assert_got(cache, "summary", 7, "{\"received\":3}");
    assert_got(cache, "summary", 8, NULL);
    assert_got(cache, "summary", 6, NULL);
    assert_got(cache, "rankings", 7, NULL);
    put(cache, "summary", 9, "{\"received\":4}");
    assert_got(cache, "summary", 9, "{\"received\":4}");
    put(cache, "summary", 8, "{\"received\":2}");   /* a slower computation of an older state */
    assert_got(cache, "summary", 9, "{\"received\":4}");
    stats_cache_destroy(&cache);
    assert_null(cache);
}

static void test_a_stale_document_is_served_within_the_max_age_only(void **state)
{
    (void) state;
    stats_cache_t *cache = stats_cache_new(8, 1 << 20);
    put(cache, "summary", 7, "{\"received\":3}");
    assert_got_aged(cache, "summary", 8, 0, 60000, "{\"received\":3}");
    assert_got_aged(cache, "summary", 8, 60000, 60000, "{\"received\":3}");
    assert_got_aged(cache, "summary", 8, 60001, 60000, NULL);
    assert_got_aged(cache, "summary", 9, 59000, 60000, "{\"received\":3}");
    assert_got_aged(cache, "summary", 7, 3600000, 60000, "{\"received\":3}");   /* not stale: any age */
    assert_got_aged(cache, "summary", 6, 0, 60000, NULL);                         /* never one from the future */
    assert_got_aged(cache, "summary", 8, 0, 0, NULL);                             /* 0: never stale */
    stats_cache_destroy(&cache);
}

static void test_serving_a_stale_document_leaves_it_to_the_warmer(void **state)
{
    (void) state;
    stats_cache_t *cache = stats_cache_new(8, 1 << 20);
    put(cache, "a", 1, "{}");
    put(cache, "b", 1, "{}");
    assert_got_aged(cache, "a", 2, 10, 60000, "{}");
    size_t size = 0;
    char *request = stats_cache_next_stale(cache, 2, INT64_MAX / 2, INT64_MAX / 2, INT64_MAX, &size);
    assert_non_null(request);
    assert_memory_equal(request, "a", size);   /* the one just asked first */
    free(request);
    stats_cache_destroy(&cache);
}

static void test_a_request_asked_without_a_document_goes_to_the_warmer(void **state)
{
    (void) state;
    stats_cache_t *cache = stats_cache_new(8, 1 << 20);
    assert_int_equal(stats_cache_ask(cache, "first", "first", 5), 0);
    assert_got_aged(cache, "first", 0, 0, 60000, NULL);   /* never served */
    size_t size = 0;
    char *request = stats_cache_next_stale(cache, 0, INT64_MAX / 2, INT64_MAX / 2, INT64_MAX, &size);
    assert_non_null(request);
    assert_memory_equal(request, "first", size);
    free(request);
    put(cache, "first", 0, "{\"n\":1}");
    assert_int_equal(stats_cache_ask(cache, "first", "first", 5), 0);   /* asked again: the document stays */
    assert_got(cache, "first", 0, "{\"n\":1}");
    stats_cache_destroy(&cache);
}

static char *next(stats_cache_t *cache, int64_t generation)
{
    size_t size = 0;
    char *request = stats_cache_next_stale(cache, generation, INT64_MAX / 2, INT64_MAX / 2, INT64_MAX, &size);
    char *text = request ? strndup(request, size) : NULL;
    free(request);
    return text;
}

static void assert_next(stats_cache_t *cache, int64_t generation, const char *expected)
{
    char *got = next(cache, generation);
    if (expected)
        assert_string_equal(got, expected);
    else
        assert_null(got);
    free(got);
}

static void test_the_warmer_gets_each_stale_request_once_a_generation_newest_first(void **state)
{
    (void) state;
    stats_cache_t *cache = stats_cache_new(8, 1 << 20);
    put(cache, "a", 1, "{}");
    put(cache, "b", 1, "{}");
    put(cache, "c", 2, "{}");
    assert_next(cache, 1, NULL);
    assert_next(cache, 2, "b");
    assert_next(cache, 2, "a");
    assert_next(cache, 2, NULL);
    assert_got(cache, "a", 1, "{}");   /* asked: now first */
    assert_next(cache, 3, "a");
    assert_next(cache, 3, "c");
    assert_next(cache, 3, "b");
    assert_next(cache, 3, NULL);
    stats_cache_destroy(&cache);
}

/* The key offered at `generation`, `after_ms` after the documents were computed, with an interval of 5 s. */
static char *next_after(stats_cache_t *cache, int64_t generation, int64_t after_ms)
{
    size_t size = 0;
    char *request = stats_cache_next_stale(cache, generation, INT64_MAX / 2, INT64_MAX / 2,
                                           COMPUTED_MS + after_ms - 5000, &size);
    char *text = request ? strndup(request, size) : NULL;
    free(request);
    return text;
}

static void test_a_document_is_warmed_at_most_once_an_interval(void **state)
{
    (void) state;
    stats_cache_t *cache = stats_cache_new(8, 1 << 20);
    put(cache, "doc", 1, "{}");
    assert_int_equal(stats_cache_ask(cache, "new", "new", 3), 0);
    char *got = next_after(cache, 2, 4999);
    assert_string_equal(got, "new");   /* nothing to answer it with: at once */
    free(got);
    put(cache, "new", 2, "{}");
    for (int64_t generation = 2; generation < 6; generation++)   /* a surge: the facts move on */
        assert_null(next_after(cache, generation, 4999));
    char *first = next_after(cache, 6, 5000), *second = next_after(cache, 6, 5000);
    assert_non_null(first);
    assert_non_null(second);
    assert_string_not_equal(first, second);
    assert_null(next_after(cache, 6, 5000));
    free(first);
    free(second);
    stats_cache_destroy(&cache);
}

static void test_a_request_not_asked_lately_is_not_warmed(void **state)
{
    (void) state;
    stats_cache_t *cache = stats_cache_new(8, 1 << 20);
    put(cache, "old", 1, "{}");
    size_t size = 0;
    assert_null(stats_cache_next_stale(cache, 2, INT64_MAX / 2, RECENT_MS, INT64_MAX, &size));
    stats_cache_destroy(&cache);
}

static void test_bounds_drop_the_least_recently_asked(void **state)
{
    (void) state;
    stats_cache_t *cache = stats_cache_new(2, 1 << 20);
    put(cache, "a", 1, "{}");
    put(cache, "b", 1, "{}");
    assert_got(cache, "a", 1, "{}");
    put(cache, "c", 1, "{}");
    assert_got(cache, "b", 1, NULL);
    assert_got(cache, "a", 1, "{}");
    assert_got(cache, "c", 1, "{}");
    stats_cache_destroy(&cache);

    cache = stats_cache_new(8, 400);
    char big[120];
    memset(big, 'x', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    put(cache, "big", 1, big);   /* more than a quarter of the bytes: not kept */
    assert_got(cache, "big", 1, NULL);
    put(cache, "k1", 1, "{\"n\":1}");
    assert_got(cache, "k1", 1, "{\"n\":1}");
    stats_cache_destroy(&cache);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_a_document_is_served_only_at_its_generation),
        cmocka_unit_test(test_a_stale_document_is_served_within_the_max_age_only),
        cmocka_unit_test(test_serving_a_stale_document_leaves_it_to_the_warmer),
        cmocka_unit_test(test_a_request_asked_without_a_document_goes_to_the_warmer),
        cmocka_unit_test(test_the_warmer_gets_each_stale_request_once_a_generation_newest_first),
        cmocka_unit_test(test_a_document_is_warmed_at_most_once_an_interval),
        cmocka_unit_test(test_a_request_not_asked_lately_is_not_warmed),
        cmocka_unit_test(test_bounds_drop_the_least_recently_asked),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
