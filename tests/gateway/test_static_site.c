#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "static_site.h"
#include "web_pages.h"

static void gzip_is_admitted_only_when_asked_for(void **state)
{
    (void) state;
    assert_true(static_site_accepts_gzip("gzip"));
    assert_true(static_site_accepts_gzip("gzip, deflate, br"));
    assert_true(static_site_accepts_gzip("br;q=1.0, GZIP;q=0.5"));
    assert_true(static_site_accepts_gzip("*"));
    assert_true(static_site_accepts_gzip(" deflate , gzip ; q=0.1"));
    assert_false(static_site_accepts_gzip(NULL));
    assert_false(static_site_accepts_gzip(""));
    assert_false(static_site_accepts_gzip("identity"));
    assert_false(static_site_accepts_gzip("gzip;q=0"));
    assert_false(static_site_accepts_gzip("gzip;q=0.000"));
    assert_false(static_site_accepts_gzip("x-gzip2, gzipped"));
    assert_false(static_site_accepts_gzip("br, deflate"));
}

static void media_types_follow_the_extension(void **state)
{
    (void) state;
    assert_string_equal(static_site_media_type("index.html"), "text/html; charset=utf-8");
    assert_string_equal(static_site_media_type("leaflet.min.js"), "text/javascript; charset=utf-8");
    assert_string_equal(static_site_media_type("id.json"), "application/json; charset=utf-8");
    assert_string_equal(static_site_media_type("leaflet-LICENSE.txt"), "text/plain; charset=utf-8");
    assert_string_equal(static_site_media_type("archive.html.exe"), "application/octet-stream");
    assert_string_equal(static_site_media_type("README"), "application/octet-stream");
}

static const char data_page[] = "<p>x</p>", data_packed[] = "gz", data_version[] = "0123456789abcdef";
static const embedded_file_t files[] = {
    {"index.html", data_page, sizeof data_page - 1},
    {"index.html.gz", data_packed, sizeof data_packed - 1},
    {"asset-version", data_version, sizeof data_version - 1},
};

static void a_site_knows_its_files_and_version(void **state)
{
    (void) state;
    static_site_t *site = static_site_new(files, 3, "default-src 'self'");
    assert_non_null(site);
    assert_string_equal(static_site_version(site), "0123456789abcdef");
    assert_ptr_equal(static_site_find(site, "index.html"), &files[0]);
    assert_null(static_site_find(site, "../index.html"));
    assert_null(static_site_find(site, "index"));
    static_site_destroy(&site);
    assert_null(site);
    assert_null(static_site_new(files, 2, "default-src 'self'"));   /* no version: refused */
}

static void the_csp_names_the_tile_origin_and_nothing_inline(void **state)
{
    (void) state;
    char csp[600];
    assert_int_equal(web_pages_csp("https://{s}.tile.example.org/{z}/{x}/{y}.png", csp, sizeof csp), 0);
    assert_non_null(strstr(csp, "img-src 'self' data: blob: https://*.tile.example.org;"));
    assert_non_null(strstr(csp, "script-src 'self';"));
    assert_null(strstr(csp, "unsafe"));
    assert_int_equal(web_pages_csp("http://127.0.0.1:8090/tiles/{z}/{x}/{y}.png", csp, sizeof csp), 0);
    assert_non_null(strstr(csp, "img-src 'self' data: blob: http://127.0.0.1:8090;"));
    assert_int_equal(web_pages_csp("", csp, sizeof csp), 0);
    assert_non_null(strstr(csp, "img-src 'self' data: blob:;"));
    assert_int_equal(web_pages_csp("ftp://tiles.example.org/{z}/{x}/{y}.png", csp, sizeof csp), -1);
    assert_int_equal(web_pages_csp("https://tiles.example.org", csp, sizeof csp), -1);
    assert_int_equal(web_pages_csp("https://a.example.org; script-src *;/x", csp, sizeof csp), -1);
    assert_int_equal(web_pages_csp("https://a.example.org'/x", csp, sizeof csp), -1);
    assert_int_equal(web_pages_csp("//tiles.example.org/{z}/{x}/{y}.png", csp, sizeof csp), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(gzip_is_admitted_only_when_asked_for),
        cmocka_unit_test(media_types_follow_the_extension),
        cmocka_unit_test(a_site_knows_its_files_and_version),
        cmocka_unit_test(the_csp_names_the_tile_origin_and_nothing_inline),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
