#include "key_file.h"

#include <errno.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>

static size_t without_line_end(const unsigned char *bytes, size_t len)
{
    if (len > 0 && bytes[len - 1] == '\n')
        len--;
    if (len > 0 && bytes[len - 1] == '\r')
        len--;
    return len;
}

int key_file_read(const char *path, key_file_t *key, char *reason, size_t cap)
{
    memset(key, 0, sizeof *key);
    if (!path || !path[0]) {
        snprintf(reason, cap, "no key file is set");
        return -1;
    }
    FILE *f = fopen(path, "rb");
    if (!f) {
        snprintf(reason, cap, "cannot read the key file '%s': %s", path, strerror(errno));
        return -1;
    }
    /* One byte more than the limit tells an over-long file from one exactly at it. */
    unsigned char buffer[KEY_FILE_MAX + 1];
    size_t n = fread(buffer, 1, sizeof buffer, f);
    int failed = ferror(f);
    fclose(f);
    if (failed) {
        snprintf(reason, cap, "cannot read the key file '%s'", path);
        return -1;
    }
    n = without_line_end(buffer, n);
    int rc = 0;
    if (n < KEY_FILE_MIN || n > KEY_FILE_MAX) {
        snprintf(reason, cap, "the key file '%s' must hold %d to %d bytes", path, KEY_FILE_MIN, KEY_FILE_MAX);
        rc = -1;
    } else {
        memcpy(key->bytes, buffer, n);
        key->len = n;
    }
    sodium_memzero(buffer, sizeof buffer);
    return rc;
}
