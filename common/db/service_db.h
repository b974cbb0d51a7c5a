#ifndef ADUAN_SERVICE_DB_H
#define ADUAN_SERVICE_DB_H
#include <stdbool.h>

#include "db.h"
#include "service.h"

/* A service's own database connection, opened at start-up (the db layer's half of service.h, which
 * sits in core and knows nothing of PostgreSQL). */

/* Connects to ADUAN_DB_URL (waiting up to ADUAN_DB_CONNECT_WAIT_MS), then applies migrations and,
 * when `seed` is true, the seed data. NULL (reason logged) on failure or interruption. */
db_t *service_db_open(const service_t *service, bool seed);

#endif
