#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "institution_tree.h"

/* code, parent: a unit of a city of a province of the nation, and a neighbouring city */
static reference_entry_t entries[] = {
    {"NASIONAL", "Nasional", NULL, "national", NULL},
    {"PROV-21", "Kepri", "NASIONAL", "province", NULL},
    {"KOTA-21.71", "Batam", "PROV-21", "city", NULL},
    {"KOTA-21.72", "Tanjungpinang", "PROV-21", "city", NULL},
    {"KOTA-21.71.PUPR", "PUPR Batam", "KOTA-21.71", "unit", NULL},
    {"LOOP-A", "a", "LOOP-B", "unit", NULL},
    {"LOOP-B", "b", "LOOP-A", "unit", NULL},
};

static institution_tree_t *tree(void)
{
    reference_list_t list = {sizeof entries / sizeof entries[0], entries};
    char reason[100];
    institution_tree_t *t = institution_tree_from_list(&list, reason, sizeof reason);
    assert_non_null(t);
    return t;
}

static void test_a_chain_runs_from_the_code_up_to_the_root(void **state)
{
    (void) state;
    institution_tree_t *t = tree();
    char chain[8][33];
    assert_int_equal(institution_tree_chain(t, "KOTA-21.71.PUPR", chain, 8), 4);
    assert_string_equal(chain[0], "KOTA-21.71.PUPR");
    assert_string_equal(chain[1], "KOTA-21.71");
    assert_string_equal(chain[2], "PROV-21");
    assert_string_equal(chain[3], "NASIONAL");
    assert_int_equal(institution_tree_chain(t, "KOTA-21.72", chain, 8), 3);
    assert_string_equal(chain[1], "PROV-21");
    assert_int_equal(institution_tree_chain(t, "KOTA-21.71.PUPR", chain, 2), 2);
    assert_true(institution_tree_knows(t, "PROV-21"));
    assert_false(institution_tree_knows(t, "KOTA-99.99"));
    institution_tree_destroy(&t);
    assert_null(t);
}

/* Without the tree (intake did not answer) or for a code it does not know, the chain is the code
 * alone: only that institution's own staff are told, never its parents' nor anyone else. */
static void test_unknown_codes_and_no_tree_give_the_code_alone(void **state)
{
    (void) state;
    institution_tree_t *t = tree();
    char chain[8][33];
    assert_int_equal(institution_tree_chain(t, "KOTA-99.99", chain, 8), 1);
    assert_string_equal(chain[0], "KOTA-99.99");
    assert_int_equal(institution_tree_chain(NULL, "KOTA-21.71.PUPR", chain, 8), 1);
    assert_string_equal(chain[0], "KOTA-21.71.PUPR");
    assert_int_equal(institution_tree_chain(t, NULL, chain, 8), 0);
    assert_int_equal(institution_tree_chain(t, "", chain, 8), 0);
    institution_tree_destroy(&t);
}

static void test_a_cycle_in_the_data_ends(void **state)
{
    (void) state;
    institution_tree_t *t = tree();
    char chain[64][33];
    size_t n = institution_tree_chain(t, "LOOP-A", chain, 64);
    assert_true(n >= 2 && n <= 16);
    institution_tree_destroy(&t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_a_chain_runs_from_the_code_up_to_the_root),
        cmocka_unit_test(test_unknown_codes_and_no_tree_give_the_code_alone),
        cmocka_unit_test(test_a_cycle_in_the_data_ends),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
