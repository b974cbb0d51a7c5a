#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <cmocka.h>

#include "process_memory.h"
#include "report_subjects.h"

static void tracking_id(unsigned n, char out[16])
{
    snprintf(out, 16, "%04X-%04X-%04X", n / 65536 + 0x1000, n % 65536, (n * 7919) % 65536);
}

static void test_a_report_s_institution_is_the_one_last_heard(void **state)
{
    (void) state;
    report_subjects_t *subjects = report_subjects_new(100);
    assert_non_null(subjects);
    assert_null(report_subjects_get(subjects, "K7M2-Q9XD-4HPA"));
    assert_int_equal(report_subjects_set(subjects, "K7M2-Q9XD-4HPA", "KOTA-21.71"), 0);
    assert_int_equal(report_subjects_set(subjects, "K7M2-Q9XD-4HPB", "KOTA-21.72"), 0);
    assert_string_equal(report_subjects_get(subjects, "K7M2-Q9XD-4HPA"), "KOTA-21.71");
    assert_int_equal(report_subjects_set(subjects, "K7M2-Q9XD-4HPA", "KOTA-21.71.PUPR"), 0);   /* dispatched */
    assert_string_equal(report_subjects_get(subjects, "K7M2-Q9XD-4HPA"), "KOTA-21.71.PUPR");
    assert_string_equal(report_subjects_get(subjects, "K7M2-Q9XD-4HPB"), "KOTA-21.72");
    assert_null(report_subjects_get(subjects, "K7M2-Q9XD-4HP"));
    assert_null(report_subjects_get(subjects, ""));
    report_subjects_destroy(&subjects);
    assert_null(subjects);
}

/* Past its bound the set starts again rather than grow: those forgotten go to national admins. */
static void test_past_its_bound_the_set_starts_again(void **state)
{
    (void) state;
    report_subjects_t *subjects = report_subjects_new(1000);
    assert_non_null(subjects);
    char id[16];
    for (unsigned n = 0; n < 1000; n++) {
        tracking_id(n, id);
        assert_int_equal(report_subjects_set(subjects, id, "KOTA-21.71"), 0);
    }
    tracking_id(999, id);
    assert_string_equal(report_subjects_get(subjects, id), "KOTA-21.71");
    tracking_id(1000, id);
    assert_int_equal(report_subjects_set(subjects, id, "KOTA-21.72"), 0);
    assert_string_equal(report_subjects_get(subjects, id), "KOTA-21.72");
    tracking_id(999, id);
    assert_null(report_subjects_get(subjects, id));
    report_subjects_destroy(&subjects);
}

#define REPORTS 20000
#define INSTITUTIONS 200

/* A report costs what its id and a reference to its institution need: as a hash of copied
 * strings (an item, a copy of the id, one of the institution's code) it cost about 130 bytes,
 * 13 MB at the bound of 100 000 reports. */
static void test_a_report_costs_its_id_not_copies(void **state)
{
    (void) state;
    size_t before = process_memory_heap_in_use();
    report_subjects_t *subjects = report_subjects_new(100000);
    assert_non_null(subjects);
    char id[16], institution[33];
    for (unsigned n = 0; n < REPORTS; n++) {
        tracking_id(n, id);
        snprintf(institution, sizeof institution, "KEMENKES-DINKES-%04u", n % INSTITUTIONS);
        assert_int_equal(report_subjects_set(subjects, id, institution), 0);
    }
    size_t held = process_memory_heap_in_use() - before;
    printf("%d reports at %d institutions kept in %zu bytes\n", REPORTS, INSTITUTIONS, held);
    assert_true(held < (size_t) REPORTS * 40);
    tracking_id(REPORTS - 1, id);
    snprintf(institution, sizeof institution, "KEMENKES-DINKES-%04u", (REPORTS - 1) % INSTITUTIONS);
    assert_string_equal(report_subjects_get(subjects, id), institution);
    report_subjects_destroy(&subjects);
}

/* The live feed's bound, 100 000 reports, in 131 072 slots of 16 bytes. */
static void test_the_feed_s_bound_fits_in_2_mb(void **state)
{
    (void) state;
    size_t before = process_memory_heap_in_use();
    report_subjects_t *subjects = report_subjects_new(100000);
    assert_non_null(subjects);
    char id[16];
    for (unsigned n = 0; n < 100000; n++) {
        tracking_id(n, id);
        assert_int_equal(report_subjects_set(subjects, id, "KOTA-21.71"), 0);
    }
    size_t held = process_memory_heap_in_use() - before;
    printf("100000 reports kept in %zu bytes\n", held);
    assert_true(held <= ((size_t) 2 << 20) + 16384);   /* the slots and a few codes */
    tracking_id(0, id);
    assert_string_equal(report_subjects_get(subjects, id), "KOTA-21.71");
    report_subjects_destroy(&subjects);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_a_report_s_institution_is_the_one_last_heard),
        cmocka_unit_test(test_past_its_bound_the_set_starts_again),
        cmocka_unit_test(test_a_report_costs_its_id_not_copies),
        cmocka_unit_test(test_the_feed_s_bound_fits_in_2_mb),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
