#include "image_reencode.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vips_library.h"

int image_reencode_start(void)
{
    return vips_library() ? 0 : -1;
}

void image_reencode_stop(void)
{
    vips_library_stop();
}

/* Reads the header only and refuses what is not an image or too large to decode. */
static int check_header(const vips_library_t *v, const void *data, size_t size, char *reason, size_t cap)
{
    VipsImage *probe = v->image_new_from_buffer(data, size, "", "access", VIPS_ACCESS_SEQUENTIAL, NULL);
    if (!probe) {
        v->error_clear();
        snprintf(reason, cap, "not a readable image");
        return 1;
    }
    long pixels = (long) v->image_get_width(probe) * v->image_get_height(probe);
    v->object_unref(probe);
    if (pixels > IMAGE_PIXELS_MAX) {
        snprintf(reason, cap, "the image has more than %ld pixels", IMAGE_PIXELS_MAX);
        return 1;
    }
    return 0;
}

/* JPEG bytes of `image` with every metadata block stripped, into *out / *out_size. */
static int save_stripped(const vips_library_t *v, VipsImage *image, void **out, size_t *out_size)
{
    VipsImage *flat = NULL;
    if (v->image_hasalpha(image)) {
        if (v->flatten(image, &flat, NULL) != 0)
            return -1;
        image = flat;
    }
    int rc = v->jpegsave_buffer(image, out, out_size, "Q", 85, "strip", TRUE, NULL);
    if (flat)
        v->object_unref(flat);
    return rc;
}

int image_reencode(const void *data, size_t size, reencoded_image_t *out, char *reason, size_t cap)
{
    memset(out, 0, sizeof *out);
    const vips_library_t *v = vips_library();
    if (!v)
        return -1;
    int refused = check_header(v, data, size, reason, cap);
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
    int rc = v->thumbnail_buffer(copy, size, &streamed, IMAGE_SIDE_MAX, "height", IMAGE_SIDE_MAX,
                                   "size", VIPS_SIZE_DOWN, NULL) == 0
                 && (full = v->image_copy_memory(streamed)) != NULL
                 && v->thumbnail_image(full, &thumb, IMAGE_THUMB_SIDE, "height", IMAGE_THUMB_SIDE, NULL) == 0
                 && save_stripped(v, full, &out->jpeg, &out->jpeg_size) == 0
                 && save_stripped(v, thumb, &out->thumbnail, &out->thumbnail_size) == 0
             ? 0 : 1;
    if (rc == 0) {
        out->width = v->image_get_width(full);
        out->height = v->image_get_height(full);
    } else {
        snprintf(reason, cap, "the image could not be decoded");
        v->error_clear();
        reencoded_image_clear(out);
    }
    if (thumb)
        v->object_unref(thumb);
    if (full)
        v->object_unref(full);
    if (streamed)
        v->object_unref(streamed);
    free(copy);
    return rc;
}

void reencoded_image_clear(reencoded_image_t *self)
{
    /* Only libvips made them, so it is open when there is anything to free. */
    const vips_library_t *v = self->jpeg || self->thumbnail ? vips_library() : NULL;
    if (v) {
        v->free(self->jpeg);
        v->free(self->thumbnail);
    }
    memset(self, 0, sizeof *self);
}
