#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "db_array.h"
#include "test_db.h"

static char *url;
static db_t *db;

static int setup(void **state)
{
    (void) state;
    db = test_db_open_migrated("dbarray", &url);
    return db ? 0 : -1;
}

static int teardown(void **state)
{
    (void) state;
    test_db_close(&db, &url);
    return 0;
}

/* What PostgreSQL reads from the literal, element by element, as "[i]='value'|" (NULL for null). */
static char *as_read(const char *literal, const char *type)
{
    char sql[200];
    snprintf(sql, sizeof sql, "SELECT string_agg('[' || n || ']=' || quote_nullable(v::text), '|' ORDER BY n) "
                              "FROM unnest($1::%s) WITH ORDINALITY AS t(v, n)", type);
    const char *params[] = {literal};
    char *value = NULL;
    db_error_t error;
    assert_int_equal(db_query_value(db, sql, 1, params, &value, &error), 0);
    return value;
}

static void test_any_text_arrives_as_it_was(void **state)
{
    (void) state;
    db_array_t array = {0};
    const char *values[] = {"plain", "with \"quotes\"", "back\\slash", "{braces},comma", "", "NULL", " spaced "};
    for (size_t i = 0; i < sizeof values / sizeof values[0]; i++)
        db_array_add(&array, values[i]);
    db_array_add(&array, NULL);
    char *literal = db_array_take(&array);
    assert_non_null(literal);
    char *read = as_read(literal, "text[]");
    assert_string_equal(read, "[1]='plain'|[2]='with \"quotes\"'|[3]=E'back\\\\slash'|[4]='{braces},comma'|[5]=''|"
                              "[6]='NULL'|[7]=' spaced '|[8]=NULL");
    free(read);
    free(literal);
}

static void test_integers_and_the_empty_array(void **state)
{
    (void) state;
    db_array_t array = {0};
    db_array_add_int(&array, -5);
    db_array_add_int(&array, INT64_MAX);
    char *literal = db_array_take(&array);
    assert_string_equal(literal, "{-5,9223372036854775807}");
    char *read = as_read(literal, "bigint[]");
    assert_string_equal(read, "[1]='-5'|[2]='9223372036854775807'");
    free(read);
    free(literal);
    char *empty = db_array_take(&array);
    assert_string_equal(empty, "{}");
    assert_null(as_read(empty, "text[]"));
    free(empty);
}

/* The columns of a multi-row statement taken at once: each its own literal, in its place, and
 * the arrays empty after. */
static void test_columns_are_taken_together(void **state)
{
    (void) state;
    db_array_t columns[3];
    memset(columns, 0, sizeof columns);
    db_array_add_int(&columns[0], 7);
    db_array_add(&columns[1], "a");
    db_array_add(&columns[1], NULL);
    char *owned[3];
    const char *params[3];
    assert_true(db_array_take_columns(columns, 3, owned, params));
    assert_string_equal(owned[0], "{7}");
    assert_string_equal(owned[1], "{\"a\",NULL}");
    assert_string_equal(owned[2], "{}");
    for (int c = 0; c < 3; c++) {
        assert_ptr_equal(params[c], owned[c]);
        assert_int_equal(columns[c].count, 0);
        free(owned[c]);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_any_text_arrives_as_it_was),
        cmocka_unit_test(test_integers_and_the_empty_array),
        cmocka_unit_test(test_columns_are_taken_together),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
