#ifndef ADUAN_ADMIN_ROLE_PASSWORDS_H
#define ADUAN_ADMIN_ROLE_PASSWORDS_H

#include "config.h"
#include "db.h"

/* The services' URLs name the settings an operator keeps in one place (a Secret): for each
 * ADUAN_<SERVICE>_DB_URL that is set, its role (aduan_<service>) gets that URL's password, so the
 * password never needs saying twice. A URL naming another role is refused. Only the SCRAM verifier
 * reaches the server, never the password. 0, or -1 with the error. */
extern const char *const role_password_services[];
extern const size_t role_password_services_count;

int role_passwords_set(db_t *db, const config_t *config, db_error_t *error);

#endif
