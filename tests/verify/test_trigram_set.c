/* trigram_set: pg_trgm's trigrams and similarity on texts whose answers are worked out by hand
 * (the comparison with the server itself is test_trigram_set_pg_trgm). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "trigram_set.h"

static locale_t ctype;

static int setup(void **state)
{
    (void) state;
    ctype = newlocale(LC_CTYPE_MASK, "C.UTF-8", (locale_t) 0);
    return ctype == (locale_t) 0 ? -1 : 0;
}

static int teardown(void **state)
{
    (void) state;
    freelocale(ctype);
    return 0;
}

static size_t size_of(const char *text)
{
    trigram_set_t *set = trigram_set_new(text, strlen(text), ctype);
    assert_non_null(set);
    size_t n = trigram_set_size(set);
    trigram_set_destroy(&set);
    assert_null(set);
    return n;
}

static float alike(const char *a, const char *b)
{
    trigram_set_t *x = trigram_set_new(a, strlen(a), ctype), *y = trigram_set_new(b, strlen(b), ctype);
    assert_non_null(x);
    assert_non_null(y);
    float score = trigram_set_similarity(x, y);
    trigram_set_destroy(&x);
    trigram_set_destroy(&y);
    return score;
}

/* "  c", " ca", "cat", "at ": two blanks before a word, one after. */
static void test_a_word_of_n_letters_has_n_plus_one_trigrams(void **state)
{
    (void) state;
    assert_int_equal(size_of("cat"), 4);
    assert_int_equal(size_of("a"), 2);
    assert_int_equal(size_of("jalan rusak"), 6 + 6);
}

static void test_repeated_trigrams_count_once(void **state)
{
    (void) state;
    assert_int_equal(size_of("cat cat CAT"), 4);
    assert_int_equal(size_of("aaaa"), 4);   /* "  a", " aa", "aaa", "aa " */
}

/* pg_trgm's documented example: 4 shared of 5 and 6 trigrams, 4 / 7. */
static void test_similarity_is_shared_over_union(void **state)
{
    (void) state;
    assert_true(alike("word", "words") == 4.0f / 7.0f);
    assert_true(alike("word", "word") == 1.0f);
    assert_true(alike("word", "xyz") == 0.0f);
}

static void test_case_and_punctuation_do_not_matter(void **state)
{
    (void) state;
    assert_true(alike("Jalan RUSAK!!!", "jalan, rusak") == 1.0f);
    assert_true(alike("lampu-mati", "lampu mati") == 1.0f);
    assert_true(alike("RT 05", "rt 5") < 1.0f);   /* digits are word characters */
}

static void test_a_text_without_words_is_alike_to_nothing(void **state)
{
    (void) state;
    assert_int_equal(size_of(""), 0);
    assert_int_equal(size_of("!!! ... --- _"), 0);
    assert_true(alike("!!!", "!!!") == 0.0f);
}

/* Letters beyond ASCII are word characters and lower-case like ASCII ones. */
static void test_unicode_letters_are_words_in_any_case(void **state)
{
    (void) state;
    assert_int_equal(size_of("é"), 2);
    assert_true(alike("ÉCOLE Ärger", "école ärger") == 1.0f);
    assert_true(alike("école", "ecole") < 1.0f);
    assert_int_equal(size_of("😀 🌧"), 0);    /* symbols are not */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_a_word_of_n_letters_has_n_plus_one_trigrams),
        cmocka_unit_test(test_repeated_trigrams_count_once),
        cmocka_unit_test(test_similarity_is_shared_over_union),
        cmocka_unit_test(test_case_and_punctuation_do_not_matter),
        cmocka_unit_test(test_a_text_without_words_is_alike_to_nothing),
        cmocka_unit_test(test_unicode_letters_are_words_in_any_case),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
