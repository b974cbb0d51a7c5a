#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "tracking_id.h"

#define ALPHABET "0123456789ABCDEFGHJKMNPQRSTVWXYZ"

/* The system generator, each draw counted: every draw is a system call. */
static unsigned draws;

static const char *counted_name(void)
{
    return "counted sysrandom";
}

static uint32_t counted_random(void)
{
    draws++;
    return randombytes_sysrandom_implementation.random();
}

static void counted_buf(void *const buf, const size_t size)
{
    draws++;
    randombytes_sysrandom_implementation.buf(buf, size);
}

static struct randombytes_implementation counted = {
    .implementation_name = counted_name, .random = counted_random, .buf = counted_buf};

static int compare(const void *a, const void *b)
{
    return strcmp(a, b);
}

static void test_generated_ids_are_valid_and_unique(void **state)
{
    (void) state;
    enum { N = 100000 };
    char (*ids)[TRACKING_ID_LEN + 1] = malloc(N * sizeof *ids);
    for (int i = 0; i < N; i++) {
        char canonical[TRACKING_ID_LEN + 1];
        assert_int_equal(tracking_id_generate(ids[i]), 0);
        assert_int_equal(strlen(ids[i]), TRACKING_ID_LEN);
        assert_int_equal(tracking_id_normalize(ids[i], canonical), 0);
        assert_string_equal(canonical, ids[i]);
    }
    qsort(ids, N, sizeof *ids, compare);
    for (int i = 1; i < N; i++)
        assert_string_not_equal(ids[i - 1], ids[i]);
    free(ids);
}

static void test_an_id_is_one_draw(void **state)
{
    (void) state;
    char id[TRACKING_ID_LEN + 1];
    assert_int_equal(tracking_id_generate(id), 0);
    unsigned before = draws;
    for (int i = 0; i < 10; i++)
        assert_int_equal(tracking_id_generate(id), 0);
    assert_int_equal(draws - before, 10);
}

/* Every symbol of the alphabet in every position, about equally often: a draw's bytes map evenly. */
static void test_every_symbol_is_drawn_about_equally_often(void **state)
{
    (void) state;
    enum { N = 64000, POSITIONS = 11 };
    static unsigned seen[POSITIONS][32];
    memset(seen, 0, sizeof seen);
    for (int i = 0; i < N; i++) {
        char id[TRACKING_ID_LEN + 1];
        assert_int_equal(tracking_id_generate(id), 0);
        for (int pos = 0, k = 0; k < POSITIONS; pos++)
            if (id[pos] != '-')
                seen[k++][strchr(ALPHABET, id[pos]) - ALPHABET]++;
    }
    /* 2 000 expected each; 6 standard deviations (about 265) either side */
    for (int k = 0; k < POSITIONS; k++)
        for (int v = 0; v < 32; v++) {
            assert_in_range(seen[k][v], 1735, 2265);
        }
}

static void test_every_single_substitution_is_caught(void **state)
{
    (void) state;
    for (int sample = 0; sample < 200; sample++) {
        char id[TRACKING_ID_LEN + 1], typo[TRACKING_ID_LEN + 1], out[TRACKING_ID_LEN + 1];
        tracking_id_generate(id);
        for (int pos = 0; pos < TRACKING_ID_LEN; pos++) {
            if (id[pos] == '-')
                continue;
            for (const char *c = ALPHABET; *c; c++) {
                if (*c == id[pos])
                    continue;
                memcpy(typo, id, sizeof typo);
                typo[pos] = *c;
                assert_int_equal(tracking_id_normalize(typo, out), -1);
            }
        }
    }
}

/* Luhn mod 32 misses exactly one kind of neighbour swap: 0 with Z. */
static void test_adjacent_swaps_are_caught_except_0_z(void **state)
{
    (void) state;
    for (int sample = 0; sample < 2000; sample++) {
        char id[TRACKING_ID_LEN + 1], swapped[TRACKING_ID_LEN + 1], out[TRACKING_ID_LEN + 1];
        tracking_id_generate(id);
        char bare[13];
        int n = 0;
        for (int i = 0; i < TRACKING_ID_LEN; i++)
            if (id[i] != '-')
                bare[n++] = id[i];
        bare[n] = '\0';
        for (int i = 0; i + 1 < n; i++) {
            char a = bare[i], b = bare[i + 1];
            if (a == b || (a == '0' && b == 'Z') || (a == 'Z' && b == '0'))
                continue;
            memcpy(swapped, bare, 13);
            swapped[i] = b;
            swapped[i + 1] = a;
            assert_int_equal(tracking_id_normalize(swapped, out), -1);
        }
    }
}

static void test_people_typing(void **state)
{
    (void) state;
    char id[TRACKING_ID_LEN + 1], typed[40], out[TRACKING_ID_LEN + 1];
    do
        tracking_id_generate(id);
    while (!strpbrk(id, "01"));
    /* lower case, no dashes, spaces around, O for 0 and l for 1 */
    size_t n = 0;
    typed[n++] = ' ';
    for (const char *p = id; *p; p++) {
        if (*p == '-')
            continue;
        char c = *p == '0' ? 'o' : *p == '1' ? 'l' : (char) (*p >= 'A' && *p <= 'Z' ? *p + 32 : *p);
        typed[n++] = c;
    }
    typed[n++] = ' ';
    typed[n] = '\0';
    assert_int_equal(tracking_id_normalize(typed, out), 0);
    assert_string_equal(out, id);
    assert_int_equal(tracking_id_normalize("", out), -1);
    assert_int_equal(tracking_id_normalize("AAAA-BBBB-CCC", out), -1);
    assert_int_equal(tracking_id_normalize("AAAA-BBBB-CCCCD", out), -1);
    assert_int_equal(tracking_id_normalize("AAAA-BBBB-CCC!", out), -1);
    assert_int_equal(tracking_id_normalize("UUUU-UUUU-UUUU", out), -1);  /* U is not in the alphabet */
}

int main(void)
{
    if (randombytes_set_implementation(&counted) != 0 || sodium_init() < 0)
        return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_generated_ids_are_valid_and_unique),
        cmocka_unit_test(test_an_id_is_one_draw),
        cmocka_unit_test(test_every_symbol_is_drawn_about_equally_often),
        cmocka_unit_test(test_every_single_substitution_is_caught),
        cmocka_unit_test(test_adjacent_swaps_are_caught_except_0_z),
        cmocka_unit_test(test_people_typing),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
