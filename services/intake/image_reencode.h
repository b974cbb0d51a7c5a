#ifndef ADUAN_INTAKE_IMAGE_REENCODE_H
#define ADUAN_INTAKE_IMAGE_REENCODE_H

#include <stddef.h>

/* A photo as aduan keeps it: decoded and encoded again by libvips as JPEG, so nothing of the
 * upload survives but its pixels — no EXIF (camera, time, GPS position), XMP, IPTC or comments,
 * and no crafted bytes for a viewer to trip on. Turned upright first (EXIF orientation), the
 * longest side at most IMAGE_SIDE_MAX, with a thumbnail of IMAGE_THUMB_SIDE.
 *
 * Decompression bombs: the header is read before any pixel, and an image of more than
 * IMAGE_PIXELS_MAX pixels is refused unread (a 10 MB PNG can claim 100 000 × 100 000). */

#define IMAGE_PIXELS_MAX (50L * 1000 * 1000)
#define IMAGE_SIDE_MAX 2048
#define IMAGE_THUMB_SIDE 320

typedef struct {
    void *jpeg;          /* g_malloc'd by libvips */
    size_t jpeg_size;
    void *thumbnail;
    size_t thumbnail_size;
    int width, height;   /* of jpeg */
} reencoded_image_t;

/* Opens and starts libvips (vips_library.h) if no photo did yet; -1 when it could not be. The
 * first image_reencode does it: only code using libvips itself (tests making images) calls it. */
int image_reencode_start(void);
/* At the end of the process, after the last image_reencode: stops libvips if it was started. */
void image_reencode_stop(void);

/* 0 with *out filled; 1 refused (not a decodable image, or too many pixels: reason says which);
 * -1 failure (libvips could not start, out of memory). */
int image_reencode(const void *data, size_t size, reencoded_image_t *out, char *reason, size_t cap);
void reencoded_image_clear(reencoded_image_t *self);

#endif
