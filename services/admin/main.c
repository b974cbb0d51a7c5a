/* aduan-admin: operator commands that need no running service — creating staff accounts (the
 * first national admin above all; later ones may also be made through POST /api/v1/staff), and
 * rebuilding the statistics from the event log.
 *
 *   aduan-admin create-staff <username> <role> <institution> <display name> [e-mail]  < password-on-stdin
 *   aduan-admin rebuild-stats
 *
 * The database comes from ADUAN_DB_URL; migrations and seed data are applied first, so this works
 * on a database no service has touched yet. The password is read from the first line of standard
 * input, so it never shows in the process list or the shell history. */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "migrate.h"
#include "staff_accounts.h"
#include "stats_facts.h"

static int usage(void)
{
    fprintf(stderr, "usage: aduan-admin create-staff <username> <role> <institution> <display name> [e-mail] < password\n"
                    "       aduan-admin rebuild-stats\n"
                    "  role: national_admin (institution NASIONAL), institution_admin, unit_liaison, analyst\n"
                    "  environment: ADUAN_DB_URL (default postgresql:///aduan)\n");
    return 2;
}

static int read_password(char *out, size_t cap)
{
    if (!fgets(out, (int) cap, stdin))
        return -1;
    out[strcspn(out, "\r\n")] = '\0';
    return 0;
}

static int open_db(db_t **db)
{
    const char *url = getenv("ADUAN_DB_URL");
    db_error_t error = {"", ""};
    *db = db_new(url && *url ? url : "postgresql:///aduan");
    if (!*db || db_connect(*db, 10000, &error) != 0
        || migrate_apply(*db, aduan_migrations, aduan_migrations_count, &error) != 0
        || migrate_seed(*db, aduan_seeds, aduan_seeds_count, &error) != 0) {
        fprintf(stderr, "aduan-admin: database: %s\n", error.message);
        return -1;
    }
    return 0;
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
    if ((argc == 6 || argc == 7) && strcmp(argv[1], "create-staff") == 0)
        return create_staff(argc, argv);
    if (argc == 2 && strcmp(argv[1], "rebuild-stats") == 0)
        return rebuild_stats();
    return usage();
}
