#include "secret_setting.h"

#include <ctype.h>
#include <errno.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>

#define HEX_LEN (SECRET_SETTING_BYTES * 2)

static int from_hex(const char *hex, size_t n, unsigned char out[SECRET_SETTING_BYTES])
{
    size_t written = 0;
    if (n != HEX_LEN || sodium_hex2bin(out, SECRET_SETTING_BYTES, hex, n, NULL, &written, NULL) != 0)
        return -1;
    return written == SECRET_SETTING_BYTES ? 0 : -1;
}

/* One more byte than the digits, to tell a file with too much in it from one with exactly enough. */
static int from_file(const char *path, unsigned char out[SECRET_SETTING_BYTES], char *reason, size_t cap)
{
    char text[HEX_LEN + 64];
    FILE *f = fopen(path, "r");
    if (!f) {
        snprintf(reason, cap, "cannot open the secret file %s: %s", path, strerror(errno));
        return -1;
    }
    size_t n = fread(text, 1, sizeof text, f);
    fclose(f);
    while (n > 0 && isspace((unsigned char) text[n - 1]))
        n--;
    int rc = n < sizeof text ? from_hex(text, n, out) : -1;
    sodium_memzero(text, sizeof text);
    if (rc != 0)
        snprintf(reason, cap, "the secret file %s must hold %d hex digits", path, HEX_LEN);
    return rc;
}

int secret_setting_read(const char *setting, unsigned char out[SECRET_SETTING_BYTES], char *reason, size_t cap)
{
    if (!setting || !*setting) {
        snprintf(reason, cap, "no secret set: give %d hex digits or the path of a file holding them", HEX_LEN);
        return -1;
    }
    size_t n = strlen(setting);
    if (strspn(setting, "0123456789abcdefABCDEF") != n)
        return from_file(setting, out, reason, cap);
    /* Never a path: the reason must not echo what may be a mistyped secret. */
    if (from_hex(setting, n, out) == 0)
        return 0;
    snprintf(reason, cap, "a secret given in hex has exactly %d digits", HEX_LEN);
    return -1;
}
