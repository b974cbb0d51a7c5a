#ifndef ADUAN_SECRET_SETTING_H
#define ADUAN_SECRET_SETTING_H
#include <stddef.h>

/* A 32-byte server secret given as a setting: either its 64 hex digits, or the path of a file that
 * holds them (trailing white space allowed), so a deployment can mount it from a secret store
 * instead of putting it in the environment. An empty setting is an error: a secret made up per
 * process would differ between replicas and restarts. */
#define SECRET_SETTING_BYTES 32

/* 0 and the secret; -1 with the reason (which never contains the secret). */
int secret_setting_read(const char *setting, unsigned char out[SECRET_SETTING_BYTES], char *reason, size_t cap);

#endif
