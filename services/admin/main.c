/* aduan-admin: operator commands that need no running service — preparing the database, creating
 * staff accounts (the first national admin above all; later ones may also be made through
 * POST /api/v1/staff), and rebuilding the statistics from the event log.
 *
 *   aduan-admin migrate
 *   aduan-admin create-staff <username> <role> <institution> <display name> [e-mail]  < password-on-stdin
 *   aduan-admin rebuild-stats
 *
 * The database comes from ADUAN_DB_URL, and each command needs the role whose tables it writes
 * (docs/architecture.md, "Who owns which table"):
 *   migrate        the database owner: applies migrations and seed data, then creates the service
 *                  roles and grants each its tables (db/grants.sql); run it once before the services
 *                  start and again after each upgrade — the services wait for it. Given the services'
 *                  URLs (ADUAN_GATEWAY_DB_URL ... ADUAN_STATS_DB_URL), it also sets each role's
 *                  password to the one in its URL;
 *   create-staff   the gateway's role (aduan_gateway): staff is the gateway's table;
 *   rebuild-stats  the stats role (aduan_stats): stat_reports and its consumer position.
 * The owner's URL works for all three (a one-URL developer set-up). The password is read from the
 * first line of standard input, so it never shows in the process list or the shell history. */
#include <ctype.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "migrate.h"
#include "staff_accounts.h"
#include "stats_facts.h"

static int usage(void)
{
    fprintf(stderr, "usage: aduan-admin migrate\n"
                    "       aduan-admin create-staff <username> <role> <institution> <display name> [e-mail] < password\n"
                    "       aduan-admin rebuild-stats\n"
                    "  role: national_admin (institution NASIONAL), institution_admin, unit_liaison, analyst\n"
                    "  environment: ADUAN_DB_URL (default postgresql:///aduan): the database owner for migrate,\n"
                    "  aduan_gateway's URL for create-staff, aduan_stats's for rebuild-stats;\n"
                    "  migrate: ADUAN_<SERVICE>_DB_URL (optional) sets that service role's password from its URL\n");
    return 2;
}

static int read_password(char *out, size_t cap)
{
    if (!fgets(out, (int) cap, stdin))
        return -1;
    out[strcspn(out, "\r\n")] = '\0';
    return 0;
}

static int connect_db(db_t **db, db_error_t *error)
{
    const char *url = getenv("ADUAN_DB_URL");
    *db = db_new(url && *url ? url : "postgresql:///aduan");
    if (!*db) {
        snprintf(error->message, sizeof error->message, "out of memory");
        return -1;
    }
    return db_connect(*db, 10000, error);
}

/* For the commands that write a service's tables: the schema must be in place already (an
 * operator runs migrate first; a command does not wait like a service does). */
static int open_db(db_t **db)
{
    db_error_t error = {"", ""};
    bool ready = false;
    if (connect_db(db, &error) != 0
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

typedef struct {
    const char *role, *verifier;
} role_password_t;

static int set_password_tx(db_t *db, void *ctx, db_error_t *error)
{
    const role_password_t *p = ctx;
    const char *params[] = {p->role, p->verifier};
    /* ALTER ROLE takes no parameters: the values travel as transaction settings and are quoted
     * inside the server; what is sent is the SCRAM verifier, never the password itself. */
    return db_exec_ok(db, "SELECT set_config('aduan.role', $1, true), set_config('aduan.verifier', $2, true)", 2,
                      params, error) != 0
        || db_exec_ok(db, "DO $$ BEGIN EXECUTE format('ALTER ROLE %I PASSWORD %L', current_setting('aduan.role'), "
                          "current_setting('aduan.verifier')); END $$", 0, NULL, error) != 0 ? -1 : 0;
}

/* ADUAN_<SERVICE>_DB_URL, when set, is the URL that service will use (the same Secret): its role
 * gets that URL's password, so an operator keeps each password in one place. */
static int set_role_passwords(db_t *db, db_error_t *error)
{
    static const char *const services[] = {"gateway", "intake", "verify", "route", "notify", "stats"};
    for (size_t i = 0; i < sizeof services / sizeof services[0]; i++) {
        char variable[64], role[32];
        snprintf(variable, sizeof variable, "ADUAN_%s_DB_URL", services[i]);
        for (char *c = variable; *c; c++)
            *c = (char) toupper((unsigned char) *c);
        snprintf(role, sizeof role, "aduan_%s", services[i]);
        const char *url = getenv(variable);
        if (!url || !*url)
            continue;
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
            PGconn *conn = db_pgconn(db);  /* the server's password_encryption picks the method */
            char *verifier = conn ? PQencryptPasswordConn(conn, password, role, NULL) : NULL;
            role_password_t p = {role, verifier};
            if (!verifier) {
                snprintf(error->message, sizeof error->message, "password of %s: %s", role,
                         conn ? PQerrorMessage(conn) : "not connected");
                rc = -1;
            } else if ((rc = db_transaction(db, set_password_tx, &p, error)) == 0) {
                printf("password of %s set from %s\n", role, variable);
            }
            PQfreemem(verifier);
        }
        PQconninfoFree(options);
        if (rc != 0)
            return -1;
    }
    return 0;
}

static int migrate(void)
{
    db_t *db = NULL;
    db_error_t error = {"", ""};
    int rc = connect_db(&db, &error) == 0 && migrate_all(db, &error) == 0 ? set_role_passwords(db, &error) : -1;
    if (rc == 0)
        printf("database migrated to schema version %d, grants applied\n",
               migrate_latest_version(aduan_migrations, aduan_migrations_count));
    else
        fprintf(stderr, "aduan-admin: migrate: %s\n", error.message);
    db_destroy(&db);
    return rc == 0 ? 0 : 1;
}

static int create_staff(int argc, char **argv)
{
    char password[STAFF_PASSWORD_MAX + 2];
    if (read_password(password, sizeof password) != 0) {
        fprintf(stderr, "aduan-admin: give the password on standard input\n");
        return 2;
    }
    db_t *db = NULL;
    int exit_code = 1;
    if (open_db(&db) == 0) {
        staff_account_t account = {argv[2], argv[5], argv[3], argv[4], password, argc > 6 ? argv[6] : NULL, NULL};
        error_reply_t refusal;
        db_error_t error = {"", ""};
        int rc = staff_accounts_create(db, &account, NULL, &refusal, &error);
        for (size_t i = 0; rc == 1 && i < refusal.fields.count; i++)
            fprintf(stderr, "aduan-admin: %s: %s\n", refusal.fields.items[i].field, refusal.fields.items[i].message);
        if (rc < 0)
            fprintf(stderr, "aduan-admin: %s\n", error.message);
        if (rc == 0)
            printf("created %s (%s at %s)\n", account.username, account.role, account.institution);
        exit_code = rc == 0 ? 0 : rc == 1 ? 2 : 1;
    }
    sodium_memzero(password, sizeof password);
    db_destroy(&db);
    return exit_code;
}

static int rebuild_tx(db_t *db, void *ctx, db_error_t *error)
{
    int64_t *read = ctx;
    return (*read = stats_facts_rebuild(db, error)) < 0 ? -1 : 0;
}

/* One transaction: the running stats members wait, then go on from where the rebuild ended. */
static int rebuild_stats(void)
{
    db_t *db = NULL;
    int exit_code = 1;
    if (open_db(&db) == 0) {
        int64_t read = 0;
        db_error_t error = {"", ""};
        if (db_transaction(db, rebuild_tx, &read, &error) == 0) {
            printf("statistics rebuilt from %lld events\n", (long long) read);
            exit_code = 0;
        } else {
            fprintf(stderr, "aduan-admin: %s\n", error.message);
        }
    }
    db_destroy(&db);
    return exit_code;
}

int main(int argc, char **argv)
{
    if (sodium_init() < 0) {
        fprintf(stderr, "aduan-admin: libsodium cannot start\n");
        return 1;
    }
    if (argc == 2 && strcmp(argv[1], "migrate") == 0)
        return migrate();
    if ((argc == 6 || argc == 7) && strcmp(argv[1], "create-staff") == 0)
        return create_staff(argc, argv);
    if (argc == 2 && strcmp(argv[1], "rebuild-stats") == 0)
        return rebuild_stats();
    return usage();
}
