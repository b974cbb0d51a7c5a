#include "service_db.h"

#include <czmq.h>
#include <stdio.h>

#include "logger.h"
#include "migrate.h"

#define SCHEMA_POLL_MS 500
#define SCHEMA_WAIT_LOG_MS 10000

/* A service role may not create tables: `aduan-admin migrate` (run as the owner) does, and until
 * the schema is at this binary's version the service waits rather than failing, so that the
 * services and the migrate job may start in any order. */
static int wait_for_schema(db_t *db, db_error_t *error)
{
    int version = migrate_latest_version(aduan_migrations, aduan_migrations_count);
    int64_t next_log = 0;
    for (;;) {
        bool ready = false;
        if (migrate_schema_ready(db, version, &ready, error) != 0 && !db_error_is_retryable(error))
            return -1;
        if (ready)
            return 0;
        if (zclock_mono() >= next_log) {
            logger_info("waiting for migrations (schema version %d; run aduan-admin migrate)", version);
            next_log = zclock_mono() + SCHEMA_WAIT_LOG_MS;
        }
        zclock_sleep(SCHEMA_POLL_MS);
        if (service_interrupted()) {
            snprintf(error->message, sizeof error->message, "interrupted while waiting for migrations");
            return -1;
        }
    }
}

/* As a role that may create tables: migrations, and seeds when asked. */
static int apply_schema(db_t *db, bool seed, db_error_t *error)
{
    if (migrate_apply(db, aduan_migrations, aduan_migrations_count, error) != 0)
        return -1;
    if (seed && migrate_seed(db, aduan_seeds, aduan_seeds_count, error) != 0)
        return -1;
    return 0;
}

db_t *service_db_open(const service_t *service, bool seed)
{
    const config_t *config = service_config(service);
    char reason[200];
    long wait_ms = 0;
    if (config_get_long(config, "ADUAN_DB_CONNECT_WAIT_MS", 0, 3600000, &wait_ms, reason, sizeof reason) != 0) {
        logger_error("%s", reason);
        return NULL;
    }
    db_t *db = db_new(config_get(config, "ADUAN_DB_URL"));
    db_error_t error = {"", ""};
    if (!db || db_connect(db, (int) wait_ms, &error) != 0) {
        logger_error("cannot connect to the database: %s", error.message);
        db_destroy(&db);
        return NULL;
    }
    bool may_create = false;
    int rc = migrate_may_create(db, &may_create, &error);
    if (rc == 0 && may_create)
        rc = apply_schema(db, seed, &error);
    else if (rc == 0)
        rc = wait_for_schema(db, &error);
    if (rc != 0) {
        if (!service_interrupted())
            logger_error("database schema: %s", error.message);
        db_destroy(&db);
        return NULL;
    }
    return db;
}
