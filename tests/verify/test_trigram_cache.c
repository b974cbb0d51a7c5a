/* trigram_cache: a kept set is found by its report id until another report takes its slot or the
 * trigram bound empties it; the bound holds. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "trigram_cache.h"

static void put(trigram_cache_t *cache, int64_t id, const char *text)
{
    trigram_set_t *set = trigram_cache_extract(cache, text, strlen(text));
    assert_non_null(set);
    trigram_cache_put(cache, id, &set);
    assert_null(set);
}

static trigram_cache_t *cache_of(size_t slots, size_t max_trigrams)
{
    trigram_cache_t *cache = trigram_cache_new(slots, max_trigrams);
    assert_non_null(cache);
    return cache;
}

static void test_a_kept_set_is_found_by_its_id(void **state)
{
    (void) state;
    trigram_cache_t *cache = cache_of(8, 1000);
    put(cache, 41, "jalan rusak");
    assert_non_null(trigram_cache_get(cache, 41));
    assert_int_equal(trigram_set_size(trigram_cache_get(cache, 41)), 12);
    assert_null(trigram_cache_get(cache, 42));
    assert_null(trigram_cache_get(cache, 49));   /* same slot, another report */
    trigram_cache_destroy(&cache);
    assert_null(cache);
}

static void test_a_report_of_the_same_slot_replaces_it(void **state)
{
    (void) state;
    trigram_cache_t *cache = cache_of(8, 1000);
    put(cache, 1, "jalan rusak");
    put(cache, 9, "cat");
    assert_null(trigram_cache_get(cache, 1));
    assert_int_equal(trigram_set_size(trigram_cache_get(cache, 9)), 4);
    assert_int_equal(trigram_cache_trigrams(cache), 4);
    trigram_cache_destroy(&cache);
}

static void test_the_trigram_bound_holds(void **state)
{
    (void) state;
    trigram_cache_t *cache = cache_of(64, 40);   /* "cat" has 4 trigrams: 10 fit */
    for (int64_t id = 1; id <= 30; id++) {
        put(cache, id, "cat");
        assert_true(trigram_cache_trigrams(cache) <= 40);
    }
    assert_non_null(trigram_cache_get(cache, 30));   /* the newest stays */
    size_t kept = 0;
    for (int64_t id = 1; id <= 30; id++)
        kept += trigram_cache_get(cache, id) != NULL;
    assert_int_equal(kept * 4, trigram_cache_trigrams(cache));
    trigram_cache_destroy(&cache);
}

static void test_a_set_larger_than_the_bound_is_kept_alone(void **state)
{
    (void) state;
    trigram_cache_t *cache = cache_of(8, 10);
    put(cache, 1, "cat");
    put(cache, 2, "jalan rusak berlubang");
    assert_null(trigram_cache_get(cache, 1));
    assert_non_null(trigram_cache_get(cache, 2));
    trigram_cache_destroy(&cache);
}

static void test_emptied_it_keeps_nothing_and_takes_sets_again(void **state)
{
    (void) state;
    trigram_cache_t *cache = cache_of(8, 1000);
    put(cache, 41, "jalan rusak");
    put(cache, 42, "lampu jalan padam");
    trigram_cache_empty(cache);
    assert_null(trigram_cache_get(cache, 41));
    assert_null(trigram_cache_get(cache, 42));
    assert_int_equal(trigram_cache_trigrams(cache), 0);
    put(cache, 41, "jalan rusak");
    assert_non_null(trigram_cache_get(cache, 41));
    assert_int_equal(trigram_cache_trigrams(cache), 12);
    trigram_cache_destroy(&cache);
}

static size_t size_of(const trigram_cache_t *cache, const char *text)
{
    trigram_set_t *set = trigram_cache_extract(cache, text, strlen(text));
    assert_non_null(set);
    size_t n = trigram_set_size(set);
    trigram_set_destroy(&set);
    return n;
}

/* A database whose LC_CTYPE is C has words of ASCII letters and digits only. */
static void test_the_database_ctype_decides_what_a_word_is(void **state)
{
    (void) state;
    trigram_cache_t *cache = cache_of(8, 1000);
    put(cache, 1, "cat");
    assert_int_equal(size_of(cache, "ÉCOLE"), 6);
    assert_int_equal(trigram_cache_use_ctype(cache, "C"), 0);
    assert_null(trigram_cache_get(cache, 1));   /* sets of the former classes are gone */
    assert_int_equal(size_of(cache, "ÉCOLE"), 5);  /* "  c", " co", "col", "ole", "le " */
    assert_int_equal(size_of(cache, "Jalan"), 6);
    assert_int_equal(trigram_cache_use_ctype(cache, "xx_NOWHERE.UTF-8"), -1);
    assert_int_equal(size_of(cache, "ÉCOLE"), 5);  /* kept */
    assert_int_equal(trigram_cache_use_ctype(cache, "C.UTF-8"), 0);
    assert_int_equal(size_of(cache, "ÉCOLE"), 6);
    trigram_cache_destroy(&cache);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_a_kept_set_is_found_by_its_id),
        cmocka_unit_test(test_a_report_of_the_same_slot_replaces_it),
        cmocka_unit_test(test_the_trigram_bound_holds),
        cmocka_unit_test(test_a_set_larger_than_the_bound_is_kept_alone),
        cmocka_unit_test(test_emptied_it_keeps_nothing_and_takes_sets_again),
        cmocka_unit_test(test_the_database_ctype_decides_what_a_word_is),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
