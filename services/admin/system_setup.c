#include "system_setup.h"

#include <errno.h>
#include <grp.h>
#include <libpq-fe.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "db.h"
#include "role_passwords.h"

int system_setup_owner(const char *url, const char *system_user, system_setup_owner_t *owner, char *reason,
                       size_t cap)
{
    char *parse_error = NULL;
    PQconninfoOption *options = PQconninfoParse(url, &parse_error);
    if (!options) {
        snprintf(reason, cap, "ADUAN_DB_URL: %s", parse_error ? parse_error : "out of memory");
        PQfreemem(parse_error);
        return -1;
    }
    const char *user = NULL, *dbname = NULL, *host = NULL, *hostaddr = NULL;
    for (PQconninfoOption *o = options; o->keyword; o++) {
        if (strcmp(o->keyword, "user") == 0)
            user = o->val;
        else if (strcmp(o->keyword, "dbname") == 0)
            dbname = o->val;
        else if (strcmp(o->keyword, "host") == 0)
            host = o->val;
        else if (strcmp(o->keyword, "hostaddr") == 0)
            hostaddr = o->val;
    }
    snprintf(owner->role, sizeof owner->role, "%s", user && *user ? user : system_user);
    snprintf(owner->database, sizeof owner->database, "%s", dbname && *dbname ? dbname : owner->role);
    owner->local = (!host || !*host || host[0] == '/') && (!hostaddr || !*hostaddr);
    PQconninfoFree(options);
    return 0;
}

static int become(const char *user)
{
    const struct passwd *account = getpwnam(user);
    if (!account) {
        fprintf(stderr, "aduan-admin: no system user %s\n", user);
        return -1;
    }
    if (initgroups(account->pw_name, account->pw_gid) != 0 || setgid(account->pw_gid) != 0
        || setuid(account->pw_uid) != 0) {
        fprintf(stderr, "aduan-admin: cannot become %s: %s\n", user, strerror(errno));
        return -1;
    }
    /* libpq looks for ~/.pgpass and the like in the home of whoever runs it. */
    return setenv("HOME", account->pw_dir, 1) == 0 ? 0 : -1;
}

int system_setup_run_as(const char *user, int (*fn)(void *ctx), void *ctx, char *reason, size_t cap)
{
    fflush(stdout);
    fflush(stderr);
    pid_t child = fork();
    if (child < 0) {
        snprintf(reason, cap, "fork: %s", strerror(errno));
        return -1;
    }
    if (child == 0) {
        int rc = become(user) == 0 ? fn(ctx) : 125;
        fflush(stdout);
        _exit(rc < 0 ? 1 : rc);
    }
    int status = 0;
    while (waitpid(child, &status, 0) < 0) {
        if (errno != EINTR) {
            snprintf(reason, cap, "waitpid: %s", strerror(errno));
            return -1;
        }
    }
    if (!WIFEXITED(status) || WEXITSTATUS(status) == 125) {
        snprintf(reason, cap, "the step as system user %s did not run", user);
        return -1;
    }
    return WEXITSTATUS(status);
}

/* 1 when the query with one parameter finds a row, 0 when not, -1 on error. */
static int exists(db_t *db, const char *sql, const char *name, db_error_t *error)
{
    char *count = NULL;
    const char *params[] = {name};
    if (db_query_value(db, sql, 1, params, &count, error) != 0)
        return -1;
    int found = count && strcmp(count, "0") != 0;
    free(count);
    return found;
}

static int create_role(db_t *db, const char *role, db_error_t *error)
{
    const char *params[] = {role};
    /* CREATE ROLE takes no parameters: the name travels as a setting and is quoted by the server. */
    if (db_exec_ok(db, "SELECT set_config('aduan.owner', $1, false)", 1, params, error) != 0)
        return -1;
    return db_exec_ok(db, "DO $$ BEGIN EXECUTE format('CREATE ROLE %I LOGIN', current_setting('aduan.owner')); END $$",
                      0, NULL, error);
}

/* CREATE DATABASE takes no parameters and cannot run inside DO: the names are quoted by libpq. */
static int create_database(db_t *db, const system_setup_owner_t *owner, db_error_t *error)
{
    PGconn *conn = db_pgconn(db);
    char *database = PQescapeIdentifier(conn, owner->database, strlen(owner->database));
    char *role = database ? PQescapeIdentifier(conn, owner->role, strlen(owner->role)) : NULL;
    char sql[300];
    int rc = -1;
    if (!role)
        snprintf(error->message, sizeof error->message, "%s", PQerrorMessage(conn));
    else if ((size_t) snprintf(sql, sizeof sql, "CREATE DATABASE %s OWNER %s", database, role) < sizeof sql)
        rc = db_exec_ok(db, sql, 0, NULL, error);
    PQfreemem(role);
    PQfreemem(database);
    return rc;
}

/* 0 when the role is there (made now or before), -1 on error. */
static int ensure_role(db_t *db, const char *role, db_error_t *error)
{
    int found = exists(db, "SELECT count(*) FROM pg_roles WHERE rolname = $1", role, error);
    if (found != 0)
        return found < 0 ? -1 : 0;
    if (create_role(db, role, error) != 0)
        return -1;
    printf("database: role %s created\n", role);
    return 0;
}

static int ensure_database(db_t *db, const system_setup_owner_t *owner, db_error_t *error)
{
    int found = exists(db, "SELECT count(*) FROM pg_database WHERE datname = $1", owner->database, error);
    if (found != 0)
        return found < 0 ? -1 : 0;
    if (create_database(db, owner, error) != 0)
        return -1;
    printf("database: %s created, owned by %s\n", owner->database, owner->role);
    return 0;
}

static int ensure_service_roles(db_t *db, const config_t *config, db_error_t *error)
{
    for (size_t i = 0; i < role_password_services_count; i++) {
        char role[64];
        snprintf(role, sizeof role, "aduan_%s", role_password_services[i]);
        if (ensure_role(db, role, error) != 0)
            return -1;
    }
    return role_passwords_set(db, config, error);
}

int system_setup_create_roles(void *ctx)
{
    const system_setup_roles_t *roles = ctx;
    db_error_t error = {"", ""};
    db_t *db = db_new("dbname=postgres");
    int rc = -1;
    if (db && db_connect(db, 10000, &error) == 0 && ensure_role(db, roles->owner->role, &error) == 0
        && ensure_database(db, roles->owner, &error) == 0 && ensure_service_roles(db, roles->config, &error) == 0)
        rc = 0;
    if (rc == 0)
        printf("database: the roles and database %s are in place\n", roles->owner->database);
    else
        fprintf(stderr, "aduan-admin: init: PostgreSQL as postgres: %s\n", error.message);
    db_destroy(&db);
    return rc;
}
