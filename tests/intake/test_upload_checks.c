/* The upload checks of aduan-intake without a database: the type sniffer, and the re-encoding of
 * photos (EXIF and GPS gone, size bounded, decompression bombs refused unread). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdbool.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>
#include <vips/vips.h>

#include "file_sniff.h"
#include "image_reencode.h"

/* A little-endian EXIF block: Make "aduan-test-camera" and a GPS IFD (latitude S 6° 10' 30"). */
static const unsigned char exif_app1[] = {
    0xFF, 0xE1, 0x00, 0x76, 'E', 'x', 'i', 'f', 0, 0,
    'I', 'I', 0x2A, 0x00, 0x08, 0x00, 0x00, 0x00,
    0x02, 0x00,
    0x0F, 0x01, 0x02, 0x00, 0x12, 0x00, 0x00, 0x00, 0x26, 0x00, 0x00, 0x00,
    0x25, 0x88, 0x04, 0x00, 0x01, 0x00, 0x00, 0x00, 0x38, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00,
    'a', 'd', 'u', 'a', 'n', '-', 't', 'e', 's', 't', '-', 'c', 'a', 'm', 'e', 'r', 'a', 0,
    0x02, 0x00,
    0x01, 0x00, 0x02, 0x00, 0x02, 0x00, 0x00, 0x00, 'S', 0, 0, 0,
    0x02, 0x00, 0x05, 0x00, 0x03, 0x00, 0x00, 0x00, 0x56, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00,
    6, 0, 0, 0, 1, 0, 0, 0, 10, 0, 0, 0, 1, 0, 0, 0, 30, 0, 0, 0, 1, 0, 0, 0,
};

static bool contains(const void *hay, size_t size, const char *needle)
{
    size_t n = strlen(needle);
    for (size_t i = 0; i + n <= size; i++)
        if (memcmp((const char *) hay + i, needle, n) == 0)
            return true;
    return false;
}

/* A JPEG of width × height with exif_app1 right after its SOI marker; free()d by the caller. */
static unsigned char *photo_with_gps(int width, int height, size_t *size)
{
    VipsImage *black = NULL;
    void *jpeg = NULL;
    size_t jpeg_size = 0;
    assert_int_equal(vips_black(&black, width, height, "bands", 3, NULL), 0);
    assert_int_equal(vips_jpegsave_buffer(black, &jpeg, &jpeg_size, "strip", TRUE, NULL), 0);
    g_object_unref(black);
    unsigned char *out = malloc(jpeg_size + sizeof exif_app1);
    memcpy(out, jpeg, 2);
    memcpy(out + 2, exif_app1, sizeof exif_app1);
    memcpy(out + 2 + sizeof exif_app1, (unsigned char *) jpeg + 2, jpeg_size - 2);
    *size = jpeg_size + sizeof exif_app1;
    g_free(jpeg);
    return out;
}

static void the_sniffer_goes_by_content(void **state)
{
    (void) state;
    assert_string_equal(file_sniff((const unsigned char *) "\xFF\xD8\xFF\xE0", 4), "image/jpeg");
    assert_string_equal(file_sniff((const unsigned char *) "\x89PNG\r\n\x1A\n....", 12), "image/png");
    assert_string_equal(file_sniff((const unsigned char *) "RIFF\x10\0\0\0WEBPVP8 ", 16), "image/webp");
    assert_string_equal(file_sniff((const unsigned char *) "%PDF-1.7\n", 9), "application/pdf");
    assert_null(file_sniff((const unsigned char *) "RIFF\x10\0\0\0WAVEfmt ", 16));
    assert_null(file_sniff((const unsigned char *) "<svg xmlns=", 11));
    assert_null(file_sniff((const unsigned char *) "GIF89a", 6));
    assert_null(file_sniff((const unsigned char *) "\xFF\xD8", 2));
    assert_null(file_sniff((const unsigned char *) "%PDF", 4));
    assert_null(file_sniff((const unsigned char *) "", 0));
    assert_null(file_sniff(NULL, 0));
}

static void a_photo_loses_exif_and_gps(void **state)
{
    (void) state;
    size_t size;
    unsigned char *photo = photo_with_gps(64, 48, &size);
    VipsImage *seen = vips_image_new_from_buffer(photo, size, "", NULL);
    assert_non_null(seen);
    assert_true(vips_image_get_typeof(seen, "exif-data") != 0);   /* the planted block is real EXIF */
    g_object_unref(seen);
    assert_true(contains(photo, size, "aduan-test-camera"));
    reencoded_image_t out;
    char reason[200];
    assert_int_equal(image_reencode(photo, size, &out, reason, sizeof reason), 0);
    assert_false(contains(out.jpeg, out.jpeg_size, "Exif"));
    assert_false(contains(out.jpeg, out.jpeg_size, "aduan-test-camera"));
    assert_false(contains(out.thumbnail, out.thumbnail_size, "Exif"));
    assert_int_equal(out.width, 64);
    assert_int_equal(out.height, 48);
    assert_string_equal(file_sniff(out.jpeg, out.jpeg_size), "image/jpeg");
    reencoded_image_clear(&out);
    free(photo);
}

static void a_large_photo_is_bounded_and_thumbnailed(void **state)
{
    (void) state;
    size_t size;
    unsigned char *photo = photo_with_gps(3000, 1500, &size);
    reencoded_image_t out;
    char reason[200];
    assert_int_equal(image_reencode(photo, size, &out, reason, sizeof reason), 0);
    assert_int_equal(out.width, IMAGE_SIDE_MAX);
    assert_int_equal(out.height, IMAGE_SIDE_MAX / 2);
    VipsImage *thumb = vips_image_new_from_buffer(out.thumbnail, out.thumbnail_size, "", NULL);
    assert_non_null(thumb);
    assert_int_equal(vips_image_get_width(thumb), IMAGE_THUMB_SIDE);
    g_object_unref(thumb);
    reencoded_image_clear(&out);
    free(photo);
}

static void a_decompression_bomb_is_refused_unread(void **state)
{
    (void) state;
    VipsImage *black = NULL;
    void *png = NULL;
    size_t png_size = 0;
    assert_int_equal(vips_black(&black, 10000, 5001, NULL), 0);   /* 50 010 000 pixels */
    assert_int_equal(vips_pngsave_buffer(black, &png, &png_size, "compression", 9, NULL), 0);
    g_object_unref(black);
    assert_true(png_size < 1024 * 1024);
    reencoded_image_t out;
    char reason[200] = "";
    assert_int_equal(image_reencode(png, png_size, &out, reason, sizeof reason), 1);
    assert_non_null(strstr(reason, "pixels"));
    assert_null(out.jpeg);
    g_free(png);
}

static void garbage_with_an_image_signature_is_refused(void **state)
{
    (void) state;
    static const unsigned char fake[] = "\xFF\xD8\xFF\xE0 this is not really a JPEG at all";
    reencoded_image_t out;
    char reason[200] = "";
    assert_int_equal(image_reencode(fake, sizeof fake - 1, &out, reason, sizeof reason), 1);
    assert_null(out.jpeg);
}

int main(void)
{
    if (image_reencode_start() != 0)
        return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(the_sniffer_goes_by_content),
        cmocka_unit_test(a_photo_loses_exif_and_gps),
        cmocka_unit_test(a_large_photo_is_bounded_and_thumbnailed),
        cmocka_unit_test(a_decompression_bomb_is_refused_unread),
        cmocka_unit_test(garbage_with_an_image_signature_is_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
