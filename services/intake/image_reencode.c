#include "image_reencode.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <vips/vips.h>

#include "logger.h"

static pthread_once_t vips_once = PTHREAD_ONCE_INIT;
static int vips_started = -1;

static void start_vips(void)
{
    if (VIPS_INIT("aduan-intake") != 0) {
        logger_error("libvips could not start: %s", vips_error_buffer());
        return;
    }
    /* One upload is one request: no operation cache to hold old images, no thread pool per image. */
    vips_cache_set_max(0);
    vips_concurrency_set(1);
    vips_started = 0;
}

/* libvips, its codecs and its threads cost an idle intake some 20 MB of the 20 MB it may use, and
 * most intakes never see a photo: started by the first one, once, whichever thread brings it. */
int image_reencode_start(void)
{
    if (pthread_once(&vips_once, start_vips) != 0)
        return -1;
    return vips_started;
}

/* Reads the header only and refuses what is not an image or too large to decode. */
static int check_header(const void *data, size_t size, char *reason, size_t cap)
{
    VipsImage *probe = vips_image_new_from_buffer(data, size, "", "access", VIPS_ACCESS_SEQUENTIAL, NULL);
    if (!probe) {
        vips_error_clear();
        snprintf(reason, cap, "not a readable image");
        return 1;
    }
    long pixels = (long) vips_image_get_width(probe) * vips_image_get_height(probe);
    g_object_unref(probe);
    if (pixels > IMAGE_PIXELS_MAX) {
        snprintf(reason, cap, "the image has more than %ld pixels", IMAGE_PIXELS_MAX);
        return 1;
    }
    return 0;
}

/* JPEG bytes of `image` with every metadata block stripped, into *out / *out_size. */
static int save_stripped(VipsImage *image, void **out, size_t *out_size)
{
    VipsImage *flat = NULL;
    if (vips_image_hasalpha(image)) {
        if (vips_flatten(image, &flat, NULL) != 0)
            return -1;
        image = flat;
    }
    int rc = vips_jpegsave_buffer(image, out, out_size, "Q", 85, "strip", TRUE, NULL);
    if (flat)
        g_object_unref(flat);
    return rc;
}

int image_reencode(const void *data, size_t size, reencoded_image_t *out, char *reason, size_t cap)
{
    memset(out, 0, sizeof *out);
    if (image_reencode_start() != 0)
        return -1;
    int refused = check_header(data, size, reason, cap);
    if (refused)
        return refused;
    /* vips_thumbnail_buffer wants a mutable buffer (it shrinks JPEGs while decoding, and turns the
     * image upright); the caller's is const. */
    void *copy = malloc(size);
    if (!copy)
        return -1;
    memcpy(copy, data, size);
    VipsImage *streamed = NULL, *full = NULL, *thumb = NULL;
    /* Decoded once into memory (at most IMAGE_SIDE_MAX squared): the loader streams, and the
     * picture is read twice (saved, and shrunk to the thumbnail). */
    int rc = vips_thumbnail_buffer(copy, size, &streamed, IMAGE_SIDE_MAX, "height", IMAGE_SIDE_MAX,
                                   "size", VIPS_SIZE_DOWN, NULL) == 0
                 && (full = vips_image_copy_memory(streamed)) != NULL
                 && vips_thumbnail_image(full, &thumb, IMAGE_THUMB_SIDE, "height", IMAGE_THUMB_SIDE, NULL) == 0
                 && save_stripped(full, &out->jpeg, &out->jpeg_size) == 0
                 && save_stripped(thumb, &out->thumbnail, &out->thumbnail_size) == 0
             ? 0 : 1;
    if (rc == 0) {
        out->width = vips_image_get_width(full);
        out->height = vips_image_get_height(full);
    } else {
        snprintf(reason, cap, "the image could not be decoded");
        vips_error_clear();
        reencoded_image_clear(out);
    }
    if (thumb)
        g_object_unref(thumb);
    if (full)
        g_object_unref(full);
    if (streamed)
        g_object_unref(streamed);
    free(copy);
    return rc;
}

void reencoded_image_clear(reencoded_image_t *self)
{
    g_free(self->jpeg);
    g_free(self->thumbnail);
    memset(self, 0, sizeof *self);
}
