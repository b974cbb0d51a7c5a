#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "notify_template.h"

static const template_value_t VALUES[] = {
    {"tracking_id", "ADU-7K3Q"},
    {"status", "diproses"},
    {"note", "Tindak lanjut <b>\"A&B\"</b> 'ok'"},
    {"empty", ""},
    {"missing", NULL},
};
#define NVALUES (sizeof VALUES / sizeof VALUES[0])

/* Renders and checks the result is the expected string; frees it. */
static void assert_renders(const char *text, bool html, const char *expected)
{
    char reason[128] = "";
    char *out = notify_template_render(text, VALUES, NVALUES, html, reason, sizeof reason);
    if (!out)
        fail_msg("render of \"%s\" failed: %s", text, reason);
    assert_string_equal(out, expected);
    free(out);
}

/* Renders and checks it fails with a non-empty reason. */
static void assert_render_fails(const char *text)
{
    char reason[128] = "";
    char *out = notify_template_render(text, VALUES, NVALUES, false, reason, sizeof reason);
    if (out) {
        char copy[256];
        strncpy(copy, out, sizeof copy - 1);
        copy[sizeof copy - 1] = '\0';
        free(out);
        fail_msg("render of \"%s\" should fail but gave \"%s\"", text, copy);
    }
    assert_true(strlen(reason) > 0);
}

static void test_plain_text_without_tags_is_copied(void **state)
{
    (void) state;
    assert_renders("Laporan Anda diterima.", false, "Laporan Anda diterima.");
    assert_renders("a { b } c {x} }}", false, "a { b } c {x} }}");
}

static void test_placeholders_take_their_values(void **state)
{
    (void) state;
    assert_renders("Laporan {{tracking_id}}: {{status}}.", false, "Laporan ADU-7K3Q: diproses.");
    assert_renders("{{tracking_id}}{{tracking_id}}", false, "ADU-7K3QADU-7K3Q");
}

static void test_unknown_names_render_empty(void **state)
{
    (void) state;
    assert_renders("[{{nobody}}]", false, "[]");
}

static void test_null_values_render_empty(void **state)
{
    (void) state;
    assert_renders("[{{missing}}][{{empty}}]", false, "[][]");
}

static void test_no_values_at_all(void **state)
{
    (void) state;
    char *out = notify_template_render("x{{a}}y", NULL, 0, true, NULL, 0);
    assert_non_null(out);
    assert_string_equal(out, "xy");
    free(out);
}

static void test_html_escapes_all_five_characters(void **state)
{
    (void) state;
    assert_renders("<p>{{note}}</p>", true,
                   "<p>Tindak lanjut &lt;b&gt;&quot;A&amp;B&quot;&lt;/b&gt; &#39;ok&#39;</p>");
}

static void test_text_mode_does_not_escape(void **state)
{
    (void) state;
    assert_renders("{{note}}", false, "Tindak lanjut <b>\"A&B\"</b> 'ok'");
}

static void test_html_leaves_template_markup_alone(void **state)
{
    (void) state;
    assert_renders("<a href=\"x?a=1&b=2\">'{{status}}'</a> &amp;", true,
                   "<a href=\"x?a=1&b=2\">'diproses'</a> &amp;");
}

static void test_section_kept_when_value_non_empty(void **state)
{
    (void) state;
    assert_renders("A{{#status}}[ada]{{/status}}B", false, "A[ada]B");
}

static void test_section_dropped_when_value_empty_null_or_unknown(void **state)
{
    (void) state;
    assert_renders("A{{#empty}}[x]{{/empty}}B", false, "AB");
    assert_renders("A{{#missing}}[x]{{/missing}}B", false, "AB");
    assert_renders("A{{#nobody}}[x]{{/nobody}}B", false, "AB");
}

static void test_placeholders_inside_sections(void **state)
{
    (void) state;
    assert_renders("{{#status}}Status: {{status}} ({{tracking_id}}){{/status}}", false,
                   "Status: diproses (ADU-7K3Q)");
    assert_renders("{{#empty}}Status: {{status}}{{/empty}}.", false, ".");
    assert_renders("{{#note}}{{note}}{{/note}}", true,
                   "Tindak lanjut &lt;b&gt;&quot;A&amp;B&quot;&lt;/b&gt; &#39;ok&#39;");
}

static void test_several_sections(void **state)
{
    (void) state;
    assert_renders("{{#status}}1{{/status}}-{{#empty}}2{{/empty}}-{{#tracking_id}}3{{/tracking_id}}"
                   "-{{#status}}4{{/status}}",
                   false, "1--3-4");
}

static void test_unclosed_placeholder_fails(void **state)
{
    (void) state;
    assert_render_fails("Halo {{tracking_id");
    assert_render_fails("Halo {{");
    assert_render_fails("{{#");
}

static void test_section_without_end_fails(void **state)
{
    (void) state;
    assert_render_fails("{{#status}}kept but never closed");
    assert_render_fails("{{#empty}}dropped but never closed");
    assert_render_fails("{{#status}}x{{/tracking_id}}");
}

static void test_end_without_start_fails(void **state)
{
    (void) state;
    assert_render_fails("text{{/status}}");
    assert_render_fails("{{#status}}x{{/status}}{{/status}}");
}

static void test_nested_sections_fail(void **state)
{
    (void) state;
    assert_render_fails("{{#status}}a{{#tracking_id}}b{{/tracking_id}}c{{/status}}");
    assert_render_fails("{{#status}}a{{#empty}}b{{/empty}}c{{/status}}");
}

static void test_nested_sections_fail_even_when_outer_is_empty(void **state)
{
    (void) state;
    /* Whether a template is valid must not depend on the values it is rendered with: otherwise an
     * operator's template renders for some reports and fails for others. */
    assert_render_fails("{{#empty}}a{{#status}}b{{/status}}c{{/empty}}");
}

static void test_reason_may_be_null(void **state)
{
    (void) state;
    assert_null(notify_template_render("{{x", VALUES, NVALUES, false, NULL, 0));
}

static void test_names_up_to_64_chars_work_longer_fail(void **state)
{
    (void) state;
    char name64[65], name65[66], text[256];
    memset(name64, 'n', 64);
    name64[64] = '\0';
    memset(name65, 'n', 65);
    name65[65] = '\0';
    const template_value_t values[] = {{name64, "v64"}};
    snprintf(text, sizeof text, "[{{%s}}]", name64);
    char *out = notify_template_render(text, values, 1, false, NULL, 0);
    assert_non_null(out);
    assert_string_equal(out, "[v64]");
    free(out);
    snprintf(text, sizeof text, "{{#%s}}s{{/%s}}", name64, name64);
    out = notify_template_render(text, values, 1, false, NULL, 0);
    assert_non_null(out);
    assert_string_equal(out, "s");
    free(out);
    snprintf(text, sizeof text, "[{{%s}}]", name65);
    assert_render_fails(text);
}

static void test_utf8_passes_unchanged(void **state)
{
    (void) state;
    const template_value_t values[] = {{"nama", "Budi Śantoso — 日本 ✓ 😀"}};
    const char *text = "Terima kasih, {{nama}}! Laporan — tindak lanjut ✓ «ok»";
    for (int html = 0; html <= 1; html++) {
        char *out = notify_template_render(text, values, 1, html, NULL, 0);
        assert_non_null(out);
        assert_string_equal(out, "Terima kasih, Budi Śantoso — 日本 ✓ 😀! Laporan — tindak lanjut ✓ «ok»");
        free(out);
    }
}

static void test_empty_template_renders_empty_string(void **state)
{
    (void) state;
    assert_renders("", false, "");
    assert_renders("", true, "");
}

/* Knows the names of the values above, as a template kind would. */
static bool known(const char *name, const void *ctx)
{
    (void) ctx;
    for (size_t i = 0; i < NVALUES; i++)
        if (strcmp(VALUES[i].name, name) == 0)
            return true;
    return false;
}

static void test_check_accepts_every_known_name(void **state)
{
    (void) state;
    char text[1024] = "";
    size_t len = 0;
    for (size_t i = 0; i < NVALUES; i++)
        len += (size_t) snprintf(text + len, sizeof text - len, "{{#%s}}{{%s}}{{/%s}} ", VALUES[i].name,
                                 VALUES[i].name, VALUES[i].name);
    char reason[128] = "";
    assert_int_equal(notify_template_check(text, known, NULL, reason, sizeof reason), 0);
}

static void test_check_refuses_unknown_names_and_bad_shapes(void **state)
{
    (void) state;
    char reason[128] = "";
    assert_int_equal(notify_template_check("Laporan {{nomor}}", known, NULL, reason, sizeof reason), -1);
    assert_non_null(strstr(reason, "{{nomor}}"));
    assert_int_equal(notify_template_check("{{#nomor}}x{{/nomor}}", known, NULL, reason, sizeof reason), -1);
    assert_int_equal(notify_template_check("{{#note}}x", known, NULL, reason, sizeof reason), -1);
    assert_int_equal(notify_template_check("{{tracking_id", known, NULL, NULL, 0), -1);
    assert_int_equal(notify_template_check("no tags at all", known, NULL, NULL, 0), 0);
}

static void test_shows_only_a_placeholder_of_that_name(void **state)
{
    (void) state;
    assert_true(notify_template_shows("Kode {{code}}.", "code"));
    assert_true(notify_template_shows("{{#note}}{{code}}{{/note}}", "code"));
    assert_false(notify_template_shows("{{#code}}ada{{/code}}", "code"));
    assert_false(notify_template_shows("{{codes}} {{cod}} code", "code"));
    assert_false(notify_template_shows("", "code"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_plain_text_without_tags_is_copied),
        cmocka_unit_test(test_placeholders_take_their_values),
        cmocka_unit_test(test_unknown_names_render_empty),
        cmocka_unit_test(test_null_values_render_empty),
        cmocka_unit_test(test_no_values_at_all),
        cmocka_unit_test(test_html_escapes_all_five_characters),
        cmocka_unit_test(test_text_mode_does_not_escape),
        cmocka_unit_test(test_html_leaves_template_markup_alone),
        cmocka_unit_test(test_section_kept_when_value_non_empty),
        cmocka_unit_test(test_section_dropped_when_value_empty_null_or_unknown),
        cmocka_unit_test(test_placeholders_inside_sections),
        cmocka_unit_test(test_several_sections),
        cmocka_unit_test(test_unclosed_placeholder_fails),
        cmocka_unit_test(test_section_without_end_fails),
        cmocka_unit_test(test_end_without_start_fails),
        cmocka_unit_test(test_nested_sections_fail),
        cmocka_unit_test(test_nested_sections_fail_even_when_outer_is_empty),
        cmocka_unit_test(test_reason_may_be_null),
        cmocka_unit_test(test_names_up_to_64_chars_work_longer_fail),
        cmocka_unit_test(test_utf8_passes_unchanged),
        cmocka_unit_test(test_empty_template_renders_empty_string),
        cmocka_unit_test(test_check_accepts_every_known_name),
        cmocka_unit_test(test_check_refuses_unknown_names_and_bad_shapes),
        cmocka_unit_test(test_shows_only_a_placeholder_of_that_name),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
