#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tracking_cache.h"

#define ID_A "LAP-2026-AAAAA"
#define ID_B "LAP-2026-BBBBB"

static tracking_cache_t *live_cache(size_t bytes, int64_t max_age_ms)
{
    tracking_cache_t *cache = tracking_cache_new(bytes, max_age_ms);
    assert_non_null(cache);
    tracking_cache_set_live(cache, INT64_MAX);
    return cache;
}

static void assert_kept(tracking_cache_t *cache, const char *id, int64_t now_ms, const char *expected)
{
    char *view = tracking_cache_get(cache, id, now_ms);
    if (expected) {
        assert_non_null(view);
        assert_string_equal(view, expected);
    } else
        assert_null(view);
    free(view);
}

static void test_a_view_is_answered_until_its_max_age(void **state)
{
    (void) state;
    tracking_cache_t *cache = live_cache(1 << 20, 5000);
    assert_kept(cache, ID_A, 1000, NULL);
    assert_true(tracking_cache_put(cache, ID_A, "{\"status\":\"received\"}", tracking_cache_generation(cache, ID_A), 1000));
    assert_kept(cache, ID_A, 1000, "{\"status\":\"received\"}");
    assert_kept(cache, ID_A, 5999, "{\"status\":\"received\"}");
    assert_kept(cache, ID_A, 6000, NULL);
    assert_kept(cache, ID_B, 1000, NULL);
    tracking_cache_destroy(&cache);
    assert_null(cache);
}

/* intake read the report before a step was committed, and its answer came back after the step's
 * event: kept, it would be shown until the max age although the event had been heard. */
static void test_an_answer_asked_before_a_forget_is_not_kept(void **state)
{
    (void) state;
    tracking_cache_t *cache = live_cache(1 << 20, 60000);
    uint64_t asked = tracking_cache_generation(cache, ID_A);
    tracking_cache_forget(cache, ID_A);
    assert_false(tracking_cache_put(cache, ID_A, "{\"status\":\"old\"}", asked, 10));
    assert_kept(cache, ID_A, 10, NULL);
    /* a forget of every view (an event about no report) counts too */
    asked = tracking_cache_generation(cache, ID_A);
    tracking_cache_forget(cache, NULL);
    assert_false(tracking_cache_put(cache, ID_A, "{\"status\":\"old\"}", asked, 10));
    asked = tracking_cache_generation(cache, ID_A);
    assert_true(tracking_cache_put(cache, ID_A, "{\"status\":\"new\"}", asked, 10));
    assert_kept(cache, ID_A, 10, "{\"status\":\"new\"}");
    tracking_cache_destroy(&cache);
}

/* Events about other reports come all the time under load: they must not stop every answer in
 * flight from being kept. */
static void test_a_forget_of_another_report_keeps_the_answer(void **state)
{
    (void) state;
    tracking_cache_t *cache = live_cache(1 << 20, 60000);
    uint64_t asked = tracking_cache_generation(cache, ID_A);
    tracking_cache_forget(cache, ID_B);
    assert_true(tracking_cache_put(cache, ID_A, "a", asked, 10));
    assert_kept(cache, ID_A, 10, "a");
    tracking_cache_destroy(&cache);
}

static void test_forget_drops_the_report_or_everything(void **state)
{
    (void) state;
    tracking_cache_t *cache = live_cache(1 << 20, 60000);
    assert_true(tracking_cache_put(cache, ID_A, "a", tracking_cache_generation(cache, ID_A), 0));
    assert_true(tracking_cache_put(cache, ID_B, "b", tracking_cache_generation(cache, ID_B), 0));
    tracking_cache_forget(cache, ID_A);
    assert_kept(cache, ID_A, 1, NULL);
    assert_kept(cache, ID_B, 1, "b");
    assert_true(tracking_cache_put(cache, ID_A, "a2", tracking_cache_generation(cache, ID_A), 2));
    tracking_cache_forget(cache, NULL);
    assert_kept(cache, ID_A, 3, NULL);
    assert_kept(cache, ID_B, 3, NULL);
    tracking_cache_destroy(&cache);
}

/* While the hub is not heard, events may be missed: nothing is answered, nothing kept, and what
 * was asked before the feed came back is not kept after it. */
static void test_nothing_is_kept_or_answered_while_the_feed_is_not_live(void **state)
{
    (void) state;
    tracking_cache_t *cache = tracking_cache_new(1 << 20, 60000);
    assert_false(tracking_cache_put(cache, ID_A, "a", tracking_cache_generation(cache, ID_A), 0));
    tracking_cache_set_live(cache, INT64_MAX);
    assert_true(tracking_cache_put(cache, ID_A, "a", tracking_cache_generation(cache, ID_A), 0));
    tracking_cache_set_live(cache, 0);
    assert_kept(cache, ID_A, 1, NULL);
    uint64_t asked_while_off = tracking_cache_generation(cache, ID_A);
    tracking_cache_set_live(cache, INT64_MAX);
    assert_kept(cache, ID_A, 1, NULL);
    assert_false(tracking_cache_put(cache, ID_A, "a", asked_while_off, 2));
    tracking_cache_destroy(&cache);
}

/* The feed's word holds until the time it gave: past it (the feed stalled, or behind the events),
 * nothing is answered, and what was kept is not answered again when the feed comes back. */
static void test_a_feed_that_stops_saying_it_is_live_stops_the_answers(void **state)
{
    (void) state;
    tracking_cache_t *cache = tracking_cache_new(1 << 20, 60000);
    assert_non_null(cache);
    tracking_cache_set_live(cache, 1000);
    assert_true(tracking_cache_put(cache, ID_A, "a", tracking_cache_generation(cache, ID_A), 10));
    assert_kept(cache, ID_A, 999, "a");
    uint64_t asked_in_time = tracking_cache_generation(cache, ID_B);
    assert_kept(cache, ID_A, 1000, NULL);
    assert_false(tracking_cache_put(cache, ID_B, "b", asked_in_time, 1001));
    tracking_cache_set_live(cache, 5000);
    assert_kept(cache, ID_A, 1500, NULL);
    assert_false(tracking_cache_put(cache, ID_B, "b", asked_in_time, 1500));
    assert_true(tracking_cache_put(cache, ID_B, "b", tracking_cache_generation(cache, ID_B), 1500));
    assert_kept(cache, ID_B, 1600, "b");
    tracking_cache_destroy(&cache);
}

static char *text_of(size_t length)
{
    char *text = malloc(length + 1);
    assert_non_null(text);
    memset(text, 'x', length);
    text[length] = '\0';
    return text;
}

static void test_the_bytes_kept_stay_within_the_capacity(void **state)
{
    (void) state;
    char *small = text_of(4), *large = text_of(600), *larger = text_of(601), *too_large = text_of(2000);
    tracking_cache_t *cache = live_cache(1024, 60000);
    assert_true(tracking_cache_put(cache, ID_A, small, tracking_cache_generation(cache, ID_A), 0));
    assert_true(tracking_cache_put(cache, ID_A, large, tracking_cache_generation(cache, ID_A), 0));   /* replaced */
    assert_kept(cache, ID_A, 0, large);
    assert_true(tracking_cache_put(cache, ID_B, larger, tracking_cache_generation(cache, ID_B), 0));   /* over: all go */
    assert_kept(cache, ID_A, 0, NULL);
    assert_kept(cache, ID_B, 0, larger);
    assert_false(tracking_cache_put(cache, ID_A, too_large, tracking_cache_generation(cache, ID_A), 0));
    assert_kept(cache, ID_B, 0, larger);
    tracking_cache_destroy(&cache);
    free(small);
    free(large);
    free(larger);
    free(too_large);
}

/* A national load follows more reports than fit: past the capacity the views least recently
 * kept or answered go, and the ones being read stay (dropping every view emptied the cache each
 * time it filled, and every read went to intake again). */
static void test_past_the_capacity_the_least_recently_used_views_go(void **state)
{
    (void) state;
    char *view = text_of(200);
    char id[24];
    tracking_cache_t *cache = live_cache(1024, 60000);
    for (int i = 0; i < 3; i++) {
        snprintf(id, sizeof id, "LAP-2026-%05d", i);
        assert_true(tracking_cache_put(cache, id, view, tracking_cache_generation(cache, id), 0));
    }
    assert_kept(cache, "LAP-2026-00000", 1, view);   /* read: now the most recently used */
    for (int i = 3; i < 5; i++) {   /* each needs one place more than is left */
        snprintf(id, sizeof id, "LAP-2026-%05d", i);
        assert_true(tracking_cache_put(cache, id, view, tracking_cache_generation(cache, id), 2));
    }
    assert_int_equal(tracking_cache_evicted(cache), 2);
    assert_kept(cache, "LAP-2026-00000", 3, view);
    assert_kept(cache, "LAP-2026-00001", 3, NULL);
    assert_kept(cache, "LAP-2026-00002", 3, NULL);
    assert_kept(cache, "LAP-2026-00003", 3, view);
    assert_kept(cache, "LAP-2026-00004", 3, view);
    /* a view forgotten leaves the order with its bytes: the next one takes its place */
    tracking_cache_forget(cache, "LAP-2026-00003");
    assert_true(tracking_cache_put(cache, "LAP-2026-00005", view, tracking_cache_generation(cache, "LAP-2026-00005"), 4));
    assert_kept(cache, "LAP-2026-00000", 5, view);
    assert_kept(cache, "LAP-2026-00004", 5, view);
    assert_kept(cache, "LAP-2026-00005", 5, view);
    assert_int_equal(tracking_cache_evicted(cache), 2);   /* a forget is not an eviction */
    tracking_cache_destroy(&cache);
    free(view);
}

/* Short views cost more in ids, entries and malloc headers than in text: a capacity that counted
 * the text alone kept a hundred of these in 4 kB, which hold several times that. */
static void test_the_capacity_counts_what_a_view_costs_besides_its_text(void **state)
{
    (void) state;
    const char *view = "{\"s\":1}";
    tracking_cache_t *cache = live_cache(4096, 60000);
    char id[24];
    for (int i = 0; i < 100; i++) {
        snprintf(id, sizeof id, "LAP-2026-%05d", i);
        tracking_cache_put(cache, id, view, tracking_cache_generation(cache, id), 0);
    }
    size_t kept = 0;
    for (int i = 0; i < 100; i++) {
        snprintf(id, sizeof id, "LAP-2026-%05d", i);
        char *found = tracking_cache_get(cache, id, 1);
        kept += found != NULL;
        free(found);
    }
    assert_true(kept > 0);
    /* at least the two strings and the entry's four pointers each */
    assert_true(kept * (strlen(view) + 1 + strlen(id) + 1 + 4 * sizeof(void *)) <= 4096);
    tracking_cache_destroy(&cache);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_a_view_is_answered_until_its_max_age),
        cmocka_unit_test(test_an_answer_asked_before_a_forget_is_not_kept),
        cmocka_unit_test(test_a_forget_of_another_report_keeps_the_answer),
        cmocka_unit_test(test_forget_drops_the_report_or_everything),
        cmocka_unit_test(test_nothing_is_kept_or_answered_while_the_feed_is_not_live),
        cmocka_unit_test(test_a_feed_that_stops_saying_it_is_live_stops_the_answers),
        cmocka_unit_test(test_the_bytes_kept_stay_within_the_capacity),
        cmocka_unit_test(test_the_capacity_counts_what_a_view_costs_besides_its_text),
        cmocka_unit_test(test_past_the_capacity_the_least_recently_used_views_go),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
