#ifndef ADUAN_ADMIN_ENV_FILE_H
#define ADUAN_ADMIN_ENV_FILE_H

#include <stddef.h>

/* The settings files of an installed system (/etc/aduan/aduan.env, secrets.env: systemd
 * EnvironmentFile= syntax, KEY=value lines, '#' or ';' comments, a value optionally in double or
 * single quotes), read into the environment so aduan-admin sees what the services see. A variable
 * already in the environment is never replaced: what the operator types wins, and of two files the
 * first to name a variable wins. 0 read, 1 no such file, -1 with the reason (unreadable, a line
 * that is not a setting). */
int env_file_load(const char *path, char *reason, size_t cap);

/* Each file of a colon-separated list in turn; a missing file is skipped. 0, or -1 with the reason
 * of the first that failed. */
int env_file_load_list(const char *paths, char *reason, size_t cap);

#endif
