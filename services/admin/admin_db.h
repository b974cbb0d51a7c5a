#ifndef ADUAN_ADMIN_ADMIN_DB_H
#define ADUAN_ADMIN_ADMIN_DB_H

#include "config.h"
#include "db.h"
#include "staff_accounts.h"

/* aduan-admin's database work shared by its commands; each prints what it did or why not. */

/* Connects with `url` for the commands that write a service's tables: the schema must be in place
 * already (an operator runs migrate first; a command does not wait like a service does). 0, or -1. */
int admin_db_open(const config_t *config, const char *url, db_t **db);

/* As the owner (ADUAN_DB_URL): migrations, seeds, grants, and each service role's password from
 * its URL when set. 0 done, 1 failed. */
int admin_db_migrate(const config_t *config);

/* Staff is the gateway's table: its role's URL when the settings name it (an installed system),
 * else ADUAN_DB_URL. */
const char *admin_db_gateway_url(const config_t *config);

/* 0 created, 2 refused (the account's fields), 1 on any other failure. */
int admin_db_create_account(db_t *db, const staff_account_t *account);

#endif
