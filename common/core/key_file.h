#ifndef ADUAN_KEY_FILE_H
#define ADUAN_KEY_FILE_H
#include <stddef.h>

/* A server secret read from a file an ADUAN_*_KEY setting names: a path rather than the value, so
 * the secret shows in no process listing, environment dump or --help. The bytes are used as they
 * are, except a trailing line end (so `head -c 32 /dev/urandom | base64 > key` works). */
#define KEY_FILE_MIN 32
#define KEY_FILE_MAX 1024

typedef struct {
    unsigned char bytes[KEY_FILE_MAX];
    size_t len;
} key_file_t;

/* 0 with the key, or -1 with a reason (no file, shorter than KEY_FILE_MIN, longer than KEY_FILE_MAX). */
int key_file_read(const char *path, key_file_t *key, char *reason, size_t reason_cap);

#endif
