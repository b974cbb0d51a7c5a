#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "link_list.h"

typedef struct {
    char name;
    link_t link;
} item_t;

/* The names from first to last, checked against the names from last to first: both ways agree. */
static void assert_order(const link_list_t *list, const char *expected)
{
    char forward[16] = "", backward[16] = "";
    size_t n = 0;
    for (link_t *l = list->first; l && n < sizeof forward - 1; l = l->next)
        forward[n++] = LINK_ITEM(l, item_t, link)->name;
    forward[n] = '\0';
    n = 0;
    for (link_t *l = list->last; l && n < sizeof backward - 1; l = l->prev)
        backward[n++] = LINK_ITEM(l, item_t, link)->name;
    backward[n] = '\0';
    assert_string_equal(forward, expected);
    for (size_t i = 0; i < n; i++)
        assert_int_equal(backward[i], expected[n - 1 - i]);
    assert_int_equal(strlen(backward), strlen(expected));
}

static void test_items_go_in_at_either_end(void **state)
{
    (void) state;
    item_t a = {'a', {0}}, b = {'b', {0}}, c = {'c', {0}};
    link_list_t list = {0};
    assert_order(&list, "");
    link_list_push_last(&list, &b.link);
    link_list_push_first(&list, &a.link);
    link_list_push_last(&list, &c.link);
    assert_order(&list, "abc");
    assert_ptr_equal(LINK_ITEM(list.last, item_t, link), &c);
}

static void test_an_item_comes_out_of_the_middle_or_either_end(void **state)
{
    (void) state;
    item_t a = {'a', {0}}, b = {'b', {0}}, c = {'c', {0}}, d = {'d', {0}};
    link_list_t list = {0};
    item_t *all[] = {&a, &b, &c, &d};
    for (size_t i = 0; i < 4; i++)
        link_list_push_last(&list, &all[i]->link);
    link_list_remove(&list, &b.link);
    assert_order(&list, "acd");
    assert_null(b.link.prev);
    assert_null(b.link.next);
    link_list_remove(&list, &a.link);
    assert_order(&list, "cd");
    link_list_remove(&list, &d.link);
    assert_order(&list, "c");
    link_list_remove(&list, &c.link);
    assert_order(&list, "");
    assert_null(list.first);
    assert_null(list.last);
}

static void test_an_item_used_again_moves_first(void **state)
{
    (void) state;
    item_t a = {'a', {0}}, b = {'b', {0}}, c = {'c', {0}};
    link_list_t list = {0};
    link_list_push_first(&list, &a.link);
    link_list_push_first(&list, &b.link);
    link_list_push_first(&list, &c.link);
    assert_order(&list, "cba");
    link_list_move_first(&list, &a.link);   /* the last */
    assert_order(&list, "acb");
    link_list_move_first(&list, &c.link);   /* from the middle */
    assert_order(&list, "cab");
    link_list_move_first(&list, &c.link);   /* already first */
    assert_order(&list, "cab");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_items_go_in_at_either_end),
        cmocka_unit_test(test_an_item_comes_out_of_the_middle_or_either_end),
        cmocka_unit_test(test_an_item_used_again_moves_first),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
