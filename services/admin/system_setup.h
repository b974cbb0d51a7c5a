#ifndef ADUAN_ADMIN_SYSTEM_SETUP_H
#define ADUAN_ADMIN_SYSTEM_SETUP_H

#include <stdbool.h>
#include <stddef.h>

#include "config.h"

/* What `aduan-admin init` does with the operating system on an installed machine: acting as another
 * system user (PostgreSQL's peer authentication knows callers by their user), and creating the
 * database owner's role and the database on the local server. */

/* The owner role and database an owner's URL names, and whether the server is this machine's
 * (no host, or a unix socket folder) — only then does init create them. The URL's user defaults to
 * `system_user`, its database to its user, as libpq does. 0, or -1 with the reason. */
typedef struct {
    char role[64];
    char database[64];
    bool local;
} system_setup_owner_t;

int system_setup_owner(const char *url, const char *system_user, system_setup_owner_t *owner, char *reason,
                       size_t cap);

/* Runs fn(ctx) in a child process as the system user `user` (its ids and groups) and returns what
 * fn returned (0..255), or -1 with the reason when the child could not become that user or died. */
int system_setup_run_as(const char *user, int (*fn)(void *ctx), void *ctx, char *reason, size_t cap);

/* As PostgreSQL's superuser (run it as the system user postgres), each when missing: the owner's
 * role (LOGIN, nothing more), the database it owns, and every service's role (aduan_<service>,
 * LOGIN), whose password becomes the one in its ADUAN_<SERVICE>_DB_URL. The owner then needs no
 * right to create or alter roles when it migrates. 0 (prints what it did), or -1 (prints why). */
typedef struct {
    const system_setup_owner_t *owner;
    const config_t *config;
} system_setup_roles_t;

int system_setup_create_roles(void *roles);

#endif
