#ifndef ADUAN_GATEWAY_MULTIPART_H
#define ADUAN_GATEWAY_MULTIPART_H

#include <stddef.h>

/* Reads one part of a multipart/form-data body (RFC 7578) held in memory: the part whose
 * Content-Disposition names field `name`. Nothing is copied but the names; the part's bytes are
 * found by offset into the body. Headers of a part are bounded (MULTIPART_HEADERS_MAX). */

#define MULTIPART_HEADERS_MAX 4096
#define MULTIPART_BOUNDARY_MAX 70

typedef struct {
    size_t offset;              /* of the part's first byte in the body */
    size_t size;
    char filename[256];         /* "" when none was given */
    char content_type[128];     /* as the client claimed: informative only */
} multipart_part_t;

/* 0 with *part; 1 when the body has no such field; -1 malformed (reason says how). */
int multipart_find(const char *content_type, const char *body, size_t size, const char *name,
                   multipart_part_t *part, char *reason, size_t reason_cap);

/* The boundary of a Content-Type "multipart/form-data; boundary=…" (quoted or not) into `out`;
 * -1 when the type is not multipart/form-data or the boundary is missing or invalid. */
int multipart_boundary(const char *content_type, char out[MULTIPART_BOUNDARY_MAX + 1]);

#endif
