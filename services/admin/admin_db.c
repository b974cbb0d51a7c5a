#include "admin_db.h"

#include <stdio.h>

#include "error_reply.h"
#include "migrate.h"
#include "role_passwords.h"

static int connect_db(const config_t *config, const char *url, db_t **db, db_error_t *error)
{
    char reason[200];
    long wait_ms = 0;
    if (config_get_long(config, "ADUAN_DB_CONNECT_WAIT_MS", 0, 3600000, &wait_ms, reason, sizeof reason) != 0) {
        snprintf(error->message, sizeof error->message, "%s", reason);
        return -1;
    }
    if (!(*db = db_new(url))) {
        snprintf(error->message, sizeof error->message, "out of memory");
        return -1;
    }
    return db_connect(*db, (int) wait_ms, error);
}

int admin_db_open(const config_t *config, const char *url, db_t **db)
{
    db_error_t error = {"", ""};
    bool ready = false;
    if (connect_db(config, url, db, &error) != 0
        || migrate_schema_ready(*db, migrate_latest_version(aduan_migrations, aduan_migrations_count), &ready,
                                &error) != 0) {
        fprintf(stderr, "aduan-admin: database: %s\n", error.message);
        return -1;
    }
    if (!ready) {
        fprintf(stderr, "aduan-admin: the database schema is not at this version: run aduan-admin migrate first\n");
        return -1;
    }
    return 0;
}

int admin_db_migrate(const config_t *config)
{
    db_t *db = NULL;
    db_error_t error = {"", ""};
    int rc = -1;
    if (connect_db(config, config_get(config, "ADUAN_DB_URL"), &db, &error) == 0 && migrate_all(db, &error) == 0)
        rc = role_passwords_set(db, config, &error);
    if (rc == 0)
        printf("database migrated to schema version %d, grants applied\n",
               migrate_latest_version(aduan_migrations, aduan_migrations_count));
    else
        fprintf(stderr, "aduan-admin: migrate: %s\n", error.message);
    db_destroy(&db);
    return rc == 0 ? 0 : 1;
}

const char *admin_db_gateway_url(const config_t *config)
{
    const char *url = config_get(config, "ADUAN_GATEWAY_DB_URL");
    return url && *url ? url : config_get(config, "ADUAN_DB_URL");
}

int admin_db_create_account(db_t *db, const staff_account_t *account)
{
    error_reply_t refusal;
    db_error_t error = {"", ""};
    int rc = staff_accounts_create(db, account, NULL, &refusal, &error);
    if (rc == 0) {
        printf("created %s (%s at %s)\n", account->username, account->role, account->institution);
        return 0;
    }
    if (rc < 0) {
        fprintf(stderr, "aduan-admin: %s\n", error.message);
        return 1;
    }
    for (size_t i = 0; i < refusal.fields.count; i++)
        fprintf(stderr, "aduan-admin: %s: %s\n", refusal.fields.items[i].field, refusal.fields.items[i].message);
    return 2;
}
