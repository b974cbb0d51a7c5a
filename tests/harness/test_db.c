#include "test_db.h"

#include <ctype.h>
#include <setjmp.h>
#include <sodium.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "migrate.h"

/* The cluster URL with its database name replaced: postgresql://user@/NAME?host=... */
static char *with_dbname(const char *url, const char *name)
{
    const char *slash = strstr(url, "@/");
    const char *query = strchr(url, '?');
    if (!slash || !query || query < slash)
        return NULL;
    size_t head = (size_t) (slash - url) + 2;
    size_t size = head + strlen(name) + strlen(query) + 1;
    char *out = malloc(size);
    if (out)
        snprintf(out, size, "%.*s%s%s", (int) head, url, name, query);
    return out;
}

static int admin(const char *statement)
{
    const char *url = getenv("ADUAN_TEST_DB_URL");
    db_t *db = db_new(url);
    db_error_t error;
    int rc = db && db_connect(db, 10000, &error) == 0 ? 0 : -1;
    PGresult *result = rc == 0 ? db_exec(db, statement, 0, NULL, &error) : NULL;
    if (!result) {
        fprintf(stderr, "test_db: %s: %s\n", statement, error.message);
        rc = -1;
    }
    PQclear(result);
    db_destroy(&db);
    return rc;
}

char *test_db_create(const char *name_hint)
{
    const char *url = getenv("ADUAN_TEST_DB_URL");
    if (!url || !*url) {
        fprintf(stderr, "test_db: ADUAN_TEST_DB_URL is not set; run integration tests through ctest\n");
        return NULL;
    }
    char name[64], statement[128];
    if (sodium_init() < 0)
        return NULL;
    int n = snprintf(name, sizeof name, "t_%.30s_%d_%08x", name_hint, (int) getpid(), randombytes_random());
    for (int i = 0; i < n; i++)
        name[i] = isalnum((unsigned char) name[i]) ? (char) tolower((unsigned char) name[i]) : '_';
    snprintf(statement, sizeof statement, "CREATE DATABASE %s", name);  /* name is [a-z0-9_] only */
    if (admin(statement) != 0)
        return NULL;
    return with_dbname(url, name);
}

void test_db_drop(char **conninfo_p)
{
    if (!conninfo_p || !*conninfo_p)
        return;
    const char *name = strstr(*conninfo_p, "@/") + 2;
    char statement[160];
    snprintf(statement, sizeof statement, "DROP DATABASE IF EXISTS %.*s WITH (FORCE)",
             (int) (strchr(name, '?') - name), name);
    admin(statement);
    free(*conninfo_p);
    *conninfo_p = NULL;
}

db_t *test_db_open_migrated(const char *name_hint, char **conninfo_p)
{
    *conninfo_p = test_db_create(name_hint);
    if (!*conninfo_p)
        return NULL;
    db_t *db = db_new(*conninfo_p);
    db_error_t error;
    if (!db || db_connect(db, 10000, &error) != 0
        || migrate_apply(db, aduan_migrations, aduan_migrations_count, &error) != 0
        || migrate_seed(db, aduan_seeds, aduan_seeds_count, &error) != 0) {
        fprintf(stderr, "test_db: %s\n", db ? error.message : "out of memory");
        db_destroy(&db);
        return NULL;
    }
    return db;
}

void test_db_close(db_t **db_p, char **conninfo_p)
{
    db_destroy(db_p);
    test_db_drop(conninfo_p);
}

db_t *test_db_open(const char *conninfo)
{
    db_t *db = db_new(conninfo);
    db_error_t error;
    if (!db || db_connect(db, 10000, &error) != 0) {
        fprintf(stderr, "test_db: %s\n", db ? error.message : "out of memory");
        db_destroy(&db);
        return NULL;
    }
    return db;
}

void test_db_script(db_t *db, const char *sql)
{
    db_error_t error = {"", ""};
    if (db_exec_script(db, sql, &error) != 0)
        fail_msg("%s", error.message);
}

int64_t test_db_scalar(db_t *db, const char *sql)
{
    db_error_t error;
    PGresult *r = db_exec(db, sql, 0, NULL, &error);
    if (!r)
        return -1;
    int64_t value = PQntuples(r) > 0 ? strtoll(PQgetvalue(r, 0, 0), NULL, 10) : -1;
    PQclear(r);
    return value;
}

static void count_join_filtered(void *arg, const char *message)
{
    long *removed = arg;
    static const char label[] = "Rows Removed by Join Filter: ";
    for (const char *at = strstr(message, label); at; at = strstr(at + 1, label))
        *removed += strtol(at + sizeof label - 1, NULL, 10);
}

void test_db_count_join_filtered(db_t *db, long *removed)
{
    PQsetNoticeProcessor(db_pgconn(db), count_join_filtered, removed);
    test_db_script(db, "LOAD 'auto_explain'; SET auto_explain.log_min_duration = 0; "
                       "SET auto_explain.log_analyze = on; SET auto_explain.log_nested_statements = on; "
                       "SET client_min_messages = log");
}

typedef struct {
    const char *table;
    db_tx_fn *fn;
    void *ctx;
    long scanned;
} scanned_t;

static long rows_scanned_so_far(db_t *db, const char *table, db_error_t *error)
{
    const char *params[] = {table};
    char *value = NULL;
    long rows = db_query_value(db, "SELECT seq_tup_read FROM pg_stat_xact_user_tables WHERE relname = $1", 1,
                               params, &value, error) == 0 && value ? atol(value) : -1;
    free(value);
    return rows;
}

static int count_scanned(db_t *db, void *ctx, db_error_t *error)
{
    scanned_t *s = ctx;
    long before = rows_scanned_so_far(db, s->table, error);
    if (before < 0 || s->fn(db, s->ctx, error) != 0)
        return -1;
    long after = rows_scanned_so_far(db, s->table, error);
    s->scanned = after - before;
    return after < 0 ? -1 : 0;
}

int test_db_round_trips(db_t *db, test_db_run_fn *run, void *ctx)
{
    char *trace = NULL;
    size_t size = 0;
    FILE *out = open_memstream(&trace, &size);
    PGconn *conn = db_pgconn(db);
    if (!out || !conn)
        fail_msg("no trace: %s", out ? "the connection is not open" : "out of memory");
    PQtrace(conn, out);
    run(ctx);
    PQuntrace(conn);
    fclose(out);
    int trips = 0;
    for (const char *at = trace; (at = strstr(at, "ReadyForQuery")); at++)
        trips++;
    free(trace);
    return trips;
}

long test_db_rows_scanned(db_t *db, const char *table, db_tx_fn *fn, void *ctx)
{
    scanned_t s = {table, fn, ctx, -1};
    db_error_t error = {"", ""};
    if (db_transaction(db, count_scanned, &s, &error) != 0)
        fail_msg("%s", error.message);
    return s.scanned;
}
