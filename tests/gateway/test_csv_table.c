#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "csv_table.h"

static char *render(const char *json)
{
    json_t *rows = json_loads(json, 0, NULL);
    assert_non_null(rows);
    char *csv = csv_table_render(rows);
    json_decref(rows);
    assert_non_null(csv);
    return csv;
}

static void test_header_from_the_first_row_and_crlf_line_ends(void **state)
{
    (void) state;
    char *csv = render("[{\"key\": \"21.71\", \"received\": 12, \"rate\": 99.27, \"ok\": true, \"none\": null}]");
    assert_string_equal(csv, "key,received,rate,ok,none\r\n21.71,12,99.27,true,\r\n");
    free(csv);
}

static void test_fields_with_commas_quotes_and_line_breaks_are_quoted(void **state)
{
    (void) state;
    char *csv = render("[{\"a\": \"x,y\", \"b\": \"say \\\"hi\\\"\", \"c\": \"two\\r\\nlines\", \"d\": \"plain\"}]");
    assert_string_equal(csv, "a,b,c,d\r\n\"x,y\",\"say \"\"hi\"\"\",\"two\r\nlines\",plain\r\n");
    free(csv);
}

static void test_nested_objects_become_dotted_columns_and_missing_values_empty(void **state)
{
    (void) state;
    char *csv = render("[{\"key\": \"a\", \"t\": {\"median\": 5, \"p90\": 9}}, {\"key\": \"b\", \"t\": {\"median\": null}}]");
    assert_string_equal(csv, "key,t.median,t.p90\r\na,5,9\r\nb,,\r\n");
    free(csv);
}

static void test_utf8_passes_unchanged_and_no_rows_give_an_empty_file(void **state)
{
    (void) state;
    char *csv = render("[{\"nama\": \"Dinas Pekerjaan Umum — Batam ✓\"}]");
    assert_string_equal(csv, "nama\r\nDinas Pekerjaan Umum — Batam ✓\r\n");
    free(csv);
    csv = render("[]");
    assert_string_equal(csv, "");
    free(csv);
}

/* CSV injection (OWASP): a text a spreadsheet would run as a formula gets a leading ', inside the
 * quotes when quoted; numbers, even negative ones, and texts with such a character later stay as
 * they are. */
static void test_cells_that_look_like_formulas_are_neutralised(void **state)
{
    (void) state;
    char *csv = render("[{\"a\": \"=HYPERLINK(\\\"http://x\\\")\", \"b\": \"+62 812\", \"c\": \"-1+1\", \"d\": \"@SUM(A1)\", "
                       "\"e\": \"\\tx\", \"f\": \"\\r=1\", \"g\": \"=1,2\", \"h\": -5, \"i\": \"a=b\"}]");
    assert_string_equal(csv, "a,b,c,d,e,f,g,h,i\r\n\"'=HYPERLINK(\"\"http://x\"\")\",'+62 812,'-1+1,'@SUM(A1),'\tx,"
                             "\"'\r=1\",\"'=1,2\",-5,a=b\r\n");
    free(csv);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_header_from_the_first_row_and_crlf_line_ends),
        cmocka_unit_test(test_fields_with_commas_quotes_and_line_breaks_are_quoted),
        cmocka_unit_test(test_nested_objects_become_dotted_columns_and_missing_values_empty),
        cmocka_unit_test(test_utf8_passes_unchanged_and_no_rows_give_an_empty_file),
        cmocka_unit_test(test_cells_that_look_like_formulas_are_neutralised),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
