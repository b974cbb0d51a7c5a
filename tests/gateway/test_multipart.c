#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "multipart.h"

#define TYPE "multipart/form-data; boundary=XyZ"

static int find(const char *type, const char *body, size_t size, multipart_part_t *part)
{
    char reason[200] = "";
    return multipart_find(type, body, size, "file", part, reason, sizeof reason);
}

static void the_file_part_is_found_among_others(void **state)
{
    (void) state;
    static const char body[] =
        "--XyZ\r\nContent-Disposition: form-data; name=\"note\"\r\n\r\nhalo\r\n"
        "--XyZ\r\nContent-Disposition: form-data; name=\"file\"; filename=\"foto.jpg\"\r\n"
        "Content-Type: image/jpeg\r\n\r\n\xFF\xD8\xFF\x00--XyZ-not-a-delimiter\r\n"
        "--XyZ--\r\n";
    multipart_part_t part;
    assert_int_equal(find(TYPE, body, sizeof body - 1, &part), 0);
    assert_string_equal(part.filename, "foto.jpg");
    assert_string_equal(part.content_type, "image/jpeg");
    assert_int_equal(part.size, 4 + strlen("--XyZ-not-a-delimiter"));
    assert_memory_equal(body + part.offset, "\xFF\xD8\xFF\x00", 4);
}

static void binary_content_with_crlf_and_nul_survives(void **state)
{
    (void) state;
    static const char body[] = "preamble\r\n--b\r\nContent-Disposition: form-data; name=file\r\n\r\n"
                               "\r\n\0\r\n-\r\n--\r\n--b--";
    multipart_part_t part;
    assert_int_equal(find("multipart/form-data; charset=x; boundary=\"b\"", body, sizeof body - 1, &part), 0);
    assert_int_equal(part.size, 10);
    assert_memory_equal(body + part.offset, "\r\n\0\r\n-\r\n--", 10);
    assert_string_equal(part.filename, "");
}

static void a_missing_field_is_not_malformed(void **state)
{
    (void) state;
    static const char body[] = "--XyZ\r\nContent-Disposition: form-data; name=\"files\"\r\n\r\nx\r\n--XyZ--";
    multipart_part_t part;
    assert_int_equal(find(TYPE, body, sizeof body - 1, &part), 1);
}

static void malformed_bodies_are_refused(void **state)
{
    (void) state;
    multipart_part_t part;
    const char *cut = "--XyZ\r\nContent-Disposition: form-data; name=\"file\"\r\n\r\nabc";
    assert_int_equal(find(TYPE, cut, strlen(cut), &part), -1);
    const char *no_headers_end = "--XyZ\r\nContent-Disposition: form-data; name=\"file\"";
    assert_int_equal(find(TYPE, no_headers_end, strlen(no_headers_end), &part), -1);
    assert_int_equal(find(TYPE, "", 0, &part), -1);
    assert_int_equal(find(TYPE, "--XyZ", 5, &part), -1);
    assert_int_equal(find("application/json", "{}", 2, &part), -1);
    assert_int_equal(find(NULL, "x", 1, &part), -1);
    const char *open_quote = "--XyZ\r\nContent-Disposition: form-data; name=\"file\r\n\r\nx\r\n--XyZ--";
    assert_int_equal(find(TYPE, open_quote, strlen(open_quote), &part), 1);
}

static void boundaries_are_bounded(void **state)
{
    (void) state;
    char out[MULTIPART_BOUNDARY_MAX + 1];
    assert_int_equal(multipart_boundary("multipart/form-data; boundary=----WebKitFormBoundaryabc", out), 0);
    assert_string_equal(out, "----WebKitFormBoundaryabc");
    assert_int_equal(multipart_boundary("Multipart/Form-Data;boundary=\"a b\"", out), 0);
    assert_string_equal(out, "a b");
    assert_int_equal(multipart_boundary("multipart/form-data; boundary=", out), -1);
    assert_int_equal(multipart_boundary("multipart/form-data; boundary=\"open", out), -1);
    assert_int_equal(multipart_boundary("multipart/form-data", out), -1);
    assert_int_equal(multipart_boundary("multipart/mixed; boundary=x", out), -1);
    char longer[200];
    snprintf(longer, sizeof longer, "multipart/form-data; boundary=%071d", 0);
    assert_int_equal(multipart_boundary(longer, out), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(the_file_part_is_found_among_others),
        cmocka_unit_test(binary_content_with_crlf_and_nul_survives),
        cmocka_unit_test(a_missing_field_is_not_malformed),
        cmocka_unit_test(malformed_bodies_are_refused),
        cmocka_unit_test(boundaries_are_bounded),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
