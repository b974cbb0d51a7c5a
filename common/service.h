#ifndef ADUAN_SERVICE_H
#define ADUAN_SERVICE_H
#include <stdbool.h>
#include <stddef.h>
#include "admin_http.h"
#include "config.h"
#include "db.h"

/* What every service process does at start and stop, in one place:
 *   - loads configuration (the common ADUAN_* options plus the service's own; a service's table may
 *     re-declare a common option to give it another default, e.g. ADUAN_ADMIN_ADDR), `--help`;
 *   - sets up JSON logging (ADUAN_LOG_LEVEL) under the service name;
 *   - starts the admin listener (ADUAN_ADMIN_ADDR) with /healthz, /readyz, /metrics;
 *   - turns SIGINT/SIGTERM into service_interrupted() (CZMQ's handler: zsys_interrupted);
 *   - opens the database with retry; applies migrations (and seeds when asked) at start-up when its
 *     role may create tables (a single-URL set-up as the owner), else waits for `aduan-admin migrate`.
 * Common options: ADUAN_DB_URL, ADUAN_DB_CONNECT_WAIT_MS, ADUAN_LOG_LEVEL, ADUAN_ADMIN_ADDR. */
typedef struct service_t service_t;

/* Returns NULL when the process should end now, with *exit_code set: 0 after --help, 2 on a bad
 * setting (reason logged), 1 when the admin listener could not start. */
service_t *service_start(const char *name, const char *summary,
                         const config_option_t *options, size_t option_count,
                         int argc, char **argv, int *exit_code);
void service_stop(service_t **self_p);

const config_t *service_config(const service_t *self);
const char *service_name(const service_t *self);
admin_http_t *service_admin(service_t *self);

/* Connects to ADUAN_DB_URL (waiting up to ADUAN_DB_CONNECT_WAIT_MS). As a role that may create
 * tables, then applies migrations and, when `seed` is true, the seed data; as a service role, waits
 * (logging "waiting for migrations") until the schema is at the compiled version. NULL (reason
 * logged) on failure or interruption. */
db_t *service_open_db(service_t *self, bool seed);

/* True once SIGINT or SIGTERM has arrived. */
bool service_interrupted(void);

#endif
