#include "role_passwords.h"

#include <ctype.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

const char *const role_password_services[] = {"gateway", "intake", "verify", "route", "notify", "stats", "federate"};
const size_t role_password_services_count = sizeof role_password_services / sizeof role_password_services[0];

typedef struct {
    const char *role, *verifier;
} role_password_t;

static int set_password_tx(db_t *db, void *ctx, db_error_t *error)
{
    const role_password_t *p = ctx;
    const char *params[] = {p->role, p->verifier};
    /* ALTER ROLE takes no parameters: the values travel as transaction settings and are quoted
     * inside the server; what is sent is the SCRAM verifier, never the password itself. */
    if (db_exec_ok(db, "SELECT set_config('aduan.role', $1, true), set_config('aduan.verifier', $2, true)", 2,
                   params, error) != 0)
        return -1;
    return db_exec_ok(db, "DO $$ BEGIN EXECUTE format('ALTER ROLE %I PASSWORD %L', current_setting('aduan.role'), "
                          "current_setting('aduan.verifier')); END $$", 0, NULL, error);
}

/* The server's password_encryption picks the method of the verifier. */
static int set_password(db_t *db, const char *role, const char *password, const char *variable, db_error_t *error)
{
    PGconn *conn = db_pgconn(db);
    char *verifier = conn ? PQencryptPasswordConn(conn, password, role, NULL) : NULL;
    role_password_t p = {role, verifier};
    int rc = -1;
    if (!verifier)
        snprintf(error->message, sizeof error->message, "password of %s: %s", role,
                 conn ? PQerrorMessage(conn) : "not connected");
    else if ((rc = db_transaction(db, set_password_tx, &p, error)) == 0)
        printf("password of %s set from %s\n", role, variable);
    PQfreemem(verifier);
    return rc;
}

/* A database owner that is not a superuser may not alter roles (an installed system's, whose roles
 * aduan-admin init made as postgres): refused, it is enough that the URL signs in already. Only
 * then, since a server that trusts its socket lets any password in. */
static bool signs_in(const char *url)
{
    PGconn *conn = PQconnectdb(url);
    bool ok = conn && PQstatus(conn) == CONNECTION_OK;
    PQfinish(conn);
    return ok;
}

/* The user and password the URL in `variable` names; -1 when it does not parse. */
static int apply_url(db_t *db, const char *role, const char *variable, const char *url, db_error_t *error)
{
    char *parse_error = NULL;
    PQconninfoOption *options = PQconninfoParse(url, &parse_error);
    if (!options) {
        snprintf(error->message, sizeof error->message, "%s: %s", variable, parse_error ? parse_error : "out of memory");
        PQfreemem(parse_error);
        return -1;
    }
    const char *user = NULL, *password = NULL;
    for (PQconninfoOption *o = options; o->keyword; o++) {
        if (strcmp(o->keyword, "user") == 0)
            user = o->val;
        else if (strcmp(o->keyword, "password") == 0)
            password = o->val;
    }
    int rc = 0;
    if (!user || strcmp(user, role) != 0) {
        snprintf(error->message, sizeof error->message, "%s must connect as %s", variable, role);
        rc = -1;
    } else if (password && *password) {
        rc = set_password(db, role, password, variable, error);
        if (rc != 0 && strcmp(error->sqlstate, "42501") == 0 && signs_in(url)) {
            printf("password of %s: not ours to set, and %s signs in with it already\n", role, variable);
            rc = 0;
        }
    }
    PQconninfoFree(options);
    return rc;
}

int role_passwords_set(db_t *db, const config_t *config, db_error_t *error)
{
    for (size_t i = 0; i < role_password_services_count; i++) {
        char variable[64], role[32];
        snprintf(variable, sizeof variable, "ADUAN_%s_DB_URL", role_password_services[i]);
        for (char *c = variable; *c; c++)
            *c = (char) toupper((unsigned char) *c);
        snprintf(role, sizeof role, "aduan_%s", role_password_services[i]);
        const char *url = config_get(config, variable);
        if (url && *url && apply_url(db, role, variable, url, error) != 0)
            return -1;
    }
    return 0;
}
