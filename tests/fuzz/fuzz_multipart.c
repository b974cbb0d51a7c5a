/* libFuzzer target: an upload body as the gateway reads it. The first line of the input is the
 * Content-Type header, the rest the body; a part found must lie inside the body. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "multipart.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const uint8_t *newline = memchr(data, '\n', size);
    size_t type_length = newline ? (size_t) (newline - data) : size;
    char *type = malloc(type_length + 1);
    if (!type)
        return 0;
    memcpy(type, data, type_length);
    type[type_length] = '\0';
    size_t body_size = newline ? size - type_length - 1 : 0;
    /* A copy of exactly body_size bytes, so ASan sees any read past the body. */
    char *body = malloc(body_size ? body_size : 1);
    if (body) {
        memcpy(body, newline ? (const char *) newline + 1 : "", body_size);
        multipart_part_t part;
        char reason[200];
        if (multipart_find(type, body, body_size, "file", &part, reason, sizeof reason) == 0
            && (part.offset > body_size || part.size > body_size - part.offset))
            abort();
    }
    free(body);
    free(type);
    return 0;
}
