#ifndef ADUAN_SERVICE_DB_H
#define ADUAN_SERVICE_DB_H
#include <stdbool.h>

#include "db.h"
#include "service.h"

/* A service's own database connection, opened at start-up (the db layer's half of service.h, which
 * sits in core and knows nothing of PostgreSQL). */

/* Connects to ADUAN_DB_URL (waiting up to ADUAN_DB_CONNECT_WAIT_MS). As a role that may create
 * tables (a single-URL set-up as the owner), then applies migrations and, when `seed` is true, the
 * seed data; as a service role, waits (logging "waiting for migrations") until `aduan-admin migrate`
 * brought the schema to the compiled version. NULL (reason logged) on failure or interruption. */
db_t *service_db_open(const service_t *service, bool seed);

#endif
