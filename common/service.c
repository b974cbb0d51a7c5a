#include "service.h"

#include <czmq.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "logger.h"
#include "migrate.h"

#define SCHEMA_POLL_MS 500
#define SCHEMA_WAIT_LOG_MS 10000

struct service_t {
    char name[32];
    config_t *config;
    admin_http_t *admin;
};

service_t *service_start(const char *name, const char *summary, const config_option_t *options,
                         size_t option_count, int argc, char **argv, int *exit_code)
{
    char program[64], reason[300];
    snprintf(program, sizeof program, "aduan-%s", name);
    zsys_init();  /* installs CZMQ's SIGINT/SIGTERM handler: zsys_interrupted */
    logger_init(name);
    service_t *self = calloc(1, sizeof *self);
    if (!self || !(self->config = config_new(program, summary, options, option_count))) {
        free(self);
        *exit_code = 1;
        return NULL;
    }
    snprintf(self->name, sizeof self->name, "%s", name);
    int rc = config_load(self->config, argc, argv, reason, sizeof reason);
    if (rc == 0 && logger_set_level_name(config_get(self->config, "ADUAN_LOG_LEVEL")) != 0) {
        snprintf(reason, sizeof reason, "ADUAN_LOG_LEVEL must be debug, info, warn or error");
        rc = -1;
    }
    if (rc == 0 && !(self->admin = admin_http_new(config_get(self->config, "ADUAN_ADMIN_ADDR"), reason, sizeof reason))) {
        logger_error("%s", reason);
        *exit_code = 1;
        service_stop(&self);
        return NULL;
    }
    if (rc != 0) {
        if (rc < 0)
            logger_error("%s", reason);
        *exit_code = rc > 0 ? 0 : 2;
        service_stop(&self);
        return NULL;
    }
    clock_use_file(config_get(self->config, "ADUAN_CLOCK_FILE"));
    logger_info("%s starting (admin on port %u)", program, admin_http_port(self->admin));
    return self;
}

void service_stop(service_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    admin_http_destroy(&(*self_p)->admin);
    config_destroy(&(*self_p)->config);
    free(*self_p);
    *self_p = NULL;
}

const config_t *service_config(const service_t *self)
{
    return self->config;
}

const char *service_name(const service_t *self)
{
    return self->name;
}

admin_http_t *service_admin(service_t *self)
{
    return self->admin;
}

bool service_interrupted(void)
{
    return zsys_interrupted != 0;
}

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

db_t *service_open_db(service_t *self, bool seed)
{
    char reason[200];
    long wait_ms = 0;
    if (config_get_long(self->config, "ADUAN_DB_CONNECT_WAIT_MS", 0, 3600000, &wait_ms, reason, sizeof reason) != 0) {
        logger_error("%s", reason);
        return NULL;
    }
    db_t *db = db_new(config_get(self->config, "ADUAN_DB_URL"));
    db_error_t error = {"", ""};
    if (!db || db_connect(db, (int) wait_ms, &error) != 0) {
        logger_error("cannot connect to the database: %s", error.message);
        db_destroy(&db);
        return NULL;
    }
    bool may_create = false;
    int rc = migrate_may_create(db, &may_create, &error);
    if (rc == 0 && may_create)
        rc = migrate_apply(db, aduan_migrations, aduan_migrations_count, &error) != 0
             || (seed && migrate_seed(db, aduan_seeds, aduan_seeds_count, &error) != 0) ? -1 : 0;
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
