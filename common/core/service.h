#ifndef ADUAN_SERVICE_H
#define ADUAN_SERVICE_H
#include <stdbool.h>
#include <stddef.h>
#include "admin_http.h"
#include "config.h"

/* What every service process does at start and stop, in one place:
 *   - loads configuration (the common ADUAN_* options plus the service's own; a service's table may
 *     re-declare a common option to give it another default, e.g. ADUAN_ADMIN_ADDR), `--help`;
 *   - sets up JSON logging (ADUAN_LOG_LEVEL) under the service name;
 *   - starts the admin listener (ADUAN_ADMIN_ADDR) with /healthz, /readyz, /metrics;
 *   - turns SIGINT/SIGTERM into service_interrupted() (CZMQ's handler: zsys_interrupted);
 * Common options: ADUAN_DB_URL, ADUAN_DB_CONNECT_WAIT_MS, ADUAN_LOG_LEVEL, ADUAN_ADMIN_ADDR, ADUAN_CLOCK_FILE,
 * ADUAN_CURVE_SECRET, ADUAN_CURVE_PEERS. */
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

/* True once SIGINT or SIGTERM has arrived. */
bool service_interrupted(void);

#endif
