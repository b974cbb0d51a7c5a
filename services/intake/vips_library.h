#ifndef ADUAN_INTAKE_VIPS_LIBRARY_H
#define ADUAN_INTAKE_VIPS_LIBRARY_H

#include <vips/vips.h>

/* libvips as image_reencode uses it, opened (dlopen) and started by the first photo instead of
 * linked: linked, the loader maps and relocates libvips and the hundred libraries of its codecs
 * (ImageMagick, poppler, OpenEXR, HDF5, librsvg, ...) when intake starts, 10 MB of an idle
 * intake that most intakes never use (issue 11). The headers give the types, so each pointer has
 * the exact type of the function it stands for. */
typedef struct {
    __typeof__(vips_error_buffer) *error_buffer;
    __typeof__(vips_error_clear) *error_clear;
    __typeof__(vips_image_new_from_buffer) *image_new_from_buffer;
    __typeof__(vips_image_get_width) *image_get_width;
    __typeof__(vips_image_get_height) *image_get_height;
    __typeof__(vips_image_hasalpha) *image_hasalpha;
    __typeof__(vips_image_copy_memory) *image_copy_memory;
    __typeof__(vips_flatten) *flatten;
    __typeof__(vips_jpegsave_buffer) *jpegsave_buffer;
    __typeof__(vips_thumbnail_buffer) *thumbnail_buffer;
    __typeof__(vips_thumbnail_image) *thumbnail_image;
    __typeof__(g_object_unref) *object_unref;
    __typeof__(g_free) *free;
    __typeof__(vips_shutdown) *shutdown;
} vips_library_t;

/* The library, opened and started the first time it is asked for, from any thread (later calls
 * get the first one's answer); NULL when it could not be (the reason is logged once). */
const vips_library_t *vips_library(void);

/* At the end of the process, when no thread re-encodes any more: stops libvips' threads if a photo
 * started them (LeakSanitizer's exit scan crashed now and then on them, left running). */
void vips_library_stop(void);

#endif
