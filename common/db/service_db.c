#include "service_db.h"

#include "logger.h"
#include "migrate.h"

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
    if (migrate_apply(db, aduan_migrations, aduan_migrations_count, &error) != 0
        || (seed && migrate_seed(db, aduan_seeds, aduan_seeds_count, &error) != 0)) {
        logger_error("database schema: %s", error.message);
        db_destroy(&db);
        return NULL;
    }
    return db;
}
