#include "file_sniff.h"

#include <string.h>

typedef struct {
    const char *type;
    size_t offset;
    const char *magic;
    size_t length;
} signature_t;

/* WebP is RIFF????WEBP: two signatures that must both match. */
static const signature_t signatures[] = {
    {"image/jpeg", 0, "\xFF\xD8\xFF", 3},
    {"image/png", 0, "\x89PNG\r\n\x1A\n", 8},
    {"application/pdf", 0, "%PDF-", 5},
    {"image/webp", 0, "RIFF", 4},
};

static int matches(const signature_t *s, const unsigned char *data, size_t size)
{
    return size >= s->offset + s->length && memcmp(data + s->offset, s->magic, s->length) == 0;
}

const char *file_sniff(const unsigned char *data, size_t size)
{
    static const signature_t webp_tag = {"image/webp", 8, "WEBP", 4};
    for (size_t i = 0; data && i < sizeof signatures / sizeof signatures[0]; i++) {
        if (!matches(&signatures[i], data, size))
            continue;
        if (strcmp(signatures[i].type, "image/webp") == 0 && !matches(&webp_tag, data, size))
            return NULL;
        return signatures[i].type;
    }
    return NULL;
}
