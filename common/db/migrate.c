#include "migrate.h"

#include <ctype.h>
#include <sodium.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "logger.h"

/* Advisory lock key shared by every aduan process applying migrations or seeds ("aduanmig"). */
#define MIGRATE_LOCK_KEY "6111047110109105103"

static void fail(db_error_t *error, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void fail(db_error_t *error, const char *fmt, ...)
{
    error->sqlstate[0] = '\0';
    va_list args;
    va_start(args, fmt);
    vsnprintf(error->message, sizeof error->message, fmt, args);
    va_end(args);
}

static void sha256_hex(const char *text, size_t size, char out[65])
{
    unsigned char digest[crypto_hash_sha256_BYTES];
    crypto_hash_sha256(digest, (const unsigned char *) text, size);
    sodium_bin2hex(out, 65, digest, sizeof digest);
}

/* "0012_name.sql" → 12; -1 when the name is not NNNN_words.sql. */
static int version_of(const char *name)
{
    size_t n = strlen(name);
    if (n < 10 || strcmp(name + n - 4, ".sql") != 0 || name[4] != '_')
        return -1;
    for (int i = 0; i < 4; i++)
        if (!isdigit((unsigned char) name[i]))
            return -1;
    return atoi(name);
}

typedef struct {
    const embedded_file_t *file;
    int version;
    const char *sha;
} migration_step_t;

static int apply_one(db_t *db, void *ctx, db_error_t *error)
{
    const migration_step_t *step = ctx;
    char version[16];
    snprintf(version, sizeof version, "%d", step->version);
    if (db_exec_script(db, step->file->data, error) != 0)
        return -1;
    const char *params[] = {version, step->file->name, step->sha};
    return db_exec_ok(db, "INSERT INTO schema_migrations (version, name, sha256) VALUES ($1, $2, $3)", 3, params, error);
}

/* Applies `file` unless recorded; refuses a recorded one whose text changed. */
static int migrate_file(db_t *db, const embedded_file_t *file, db_error_t *error)
{
    migration_step_t step = {file, version_of(file->name), NULL};
    char sha[65], version[16];
    if (step.version < 0) {
        fail(error, "migration file name '%s' is not NNNN_name.sql", file->name);
        return -1;
    }
    sha256_hex(file->data, file->size, sha);
    step.sha = sha;
    snprintf(version, sizeof version, "%d", step.version);
    const char *params[] = {version};
    PGresult *known = db_exec(db, "SELECT name, sha256 FROM schema_migrations WHERE version = $1", 1, params, error);
    if (!known)
        return -1;
    int rc = 0;
    if (PQntuples(known) == 1) {
        if (strcmp(PQgetvalue(known, 0, 1), sha) != 0) {
            fail(error, "migration %s was changed after it was applied (recorded as %s)", file->name, PQgetvalue(known, 0, 0));
            rc = -1;
        }
    } else {
        rc = db_transaction(db, apply_one, &step, error);
        if (rc == 0)
            logger_info("applied migration %s", file->name);
    }
    PQclear(known);
    return rc;
}

static int check_numbers(const embedded_file_t *files, size_t count, db_error_t *error)
{
    for (size_t i = 0; i < count; i++)
        for (size_t j = i + 1; j < count; j++)
            if (version_of(files[i].name) == version_of(files[j].name)) {
                fail(error, "migrations %s and %s have the same number", files[i].name, files[j].name);
                return -1;
            }
    return 0;
}

static int lock(db_t *db, bool take, db_error_t *error)
{
    const char *params[] = {MIGRATE_LOCK_KEY};
    return db_exec_ok(db, take ? "SELECT pg_advisory_lock($1::bigint)" : "SELECT pg_advisory_unlock($1::bigint)",
                   1, params, error);
}

int migrate_apply(db_t *db, const embedded_file_t *migrations, size_t count, db_error_t *error)
{
    if (check_numbers(migrations, count, error) != 0 || lock(db, true, error) != 0)
        return -1;
    int rc = db_exec_ok(db, "CREATE TABLE IF NOT EXISTS schema_migrations (version int PRIMARY KEY, "
                         "name text NOT NULL, sha256 text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())",
                     0, NULL, error);
    for (size_t i = 0; rc == 0 && i < count; i++)
        rc = migrate_file(db, &migrations[i], error);
    db_error_t ignored;
    lock(db, false, &ignored);
    return rc;
}

static int seed_one(db_t *db, void *ctx, db_error_t *error)
{
    const embedded_file_t *file = ctx;
    return db_exec_script(db, file->data, error);
}

int migrate_seed(db_t *db, const embedded_file_t *seeds, size_t count, db_error_t *error)
{
    if (lock(db, true, error) != 0)
        return -1;
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < count; i++)
        rc = db_transaction(db, seed_one, (void *) &seeds[i], error);
    if (rc == 0)
        logger_info("seed data loaded (%zu files)", count);
    db_error_t ignored;
    lock(db, false, &ignored);
    return rc;
}

static int grant_one(db_t *db, void *ctx, db_error_t *error)
{
    const embedded_file_t *file = ctx;
    return db_exec_script(db, file->data, error);
}

int migrate_grant(db_t *db, const embedded_file_t *grants, size_t count, db_error_t *error)
{
    if (lock(db, true, error) != 0)
        return -1;
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < count; i++)
        rc = db_transaction(db, grant_one, (void *) &grants[i], error);
    if (rc == 0)
        logger_info("grants applied (%zu files)", count);
    db_error_t ignored;
    lock(db, false, &ignored);
    return rc;
}

int migrate_all(db_t *db, db_error_t *error)
{
    /* session advisory locks nest: the inner calls take and release it once more each */
    if (lock(db, true, error) != 0)
        return -1;
    int rc = migrate_apply(db, aduan_migrations, aduan_migrations_count, error);
    if (rc == 0)
        rc = migrate_seed(db, aduan_seeds, aduan_seeds_count, error);
    if (rc == 0)
        rc = migrate_grant(db, aduan_grants, aduan_grants_count, error);
    db_error_t ignored;
    lock(db, false, &ignored);
    return rc;
}

int migrate_latest_version(const embedded_file_t *migrations, size_t count)
{
    int latest = 0;
    for (size_t i = 0; i < count; i++)
        if (version_of(migrations[i].name) > latest)
            latest = version_of(migrations[i].name);
    return latest;
}

int migrate_may_create(db_t *db, bool *may, db_error_t *error)
{
    PGresult *r = db_exec(db, "SELECT has_schema_privilege('public', 'CREATE')", 0, NULL, error);
    if (!r)
        return -1;
    *may = strcmp(PQgetvalue(r, 0, 0), "t") == 0;
    PQclear(r);
    return 0;
}

int migrate_schema_ready(db_t *db, int version, bool *ready, db_error_t *error)
{
    *ready = false;
    /* A shared hold of the migrate lock is refused while a migrate runs: its half-done work
     * (a table without its grants yet) is never taken for the new schema. */
    const char *key[] = {MIGRATE_LOCK_KEY};
    PGresult *r = db_exec(db, "SELECT pg_try_advisory_lock_shared($1::bigint), "
                              "coalesce(has_table_privilege(to_regclass('schema_migrations'), 'SELECT'), false)",
                          1, key, error);
    if (!r)
        return -1;
    bool locked = strcmp(PQgetvalue(r, 0, 0), "t") == 0, readable = strcmp(PQgetvalue(r, 0, 1), "t") == 0;
    PQclear(r);
    int rc = 0;
    if (locked && readable) {
        char wanted[16];
        snprintf(wanted, sizeof wanted, "%d", version);
        const char *params[] = {wanted};
        r = db_exec(db, "SELECT coalesce(max(version), 0) >= $1::int FROM schema_migrations", 1, params, error);
        if (r) {
            *ready = strcmp(PQgetvalue(r, 0, 0), "t") == 0;
            PQclear(r);
        } else {
            rc = -1;
        }
    }
    if (locked) {
        db_error_t ignored;
        db_exec_ok(db, "SELECT pg_advisory_unlock_shared($1::bigint)", 1, key, &ignored);
    }
    return rc;
}
