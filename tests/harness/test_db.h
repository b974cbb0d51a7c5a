#ifndef ADUAN_TEST_DB_H
#define ADUAN_TEST_DB_H
#include <stdint.h>
#include "db.h"

/* A fresh, empty database for one integration test, made in the throwaway cluster that the ctest
 * fixture started (ADUAN_TEST_DB_URL), so tests running in parallel never see each other's rows.
 * test_db_create returns its conninfo (malloc'd) or NULL when no cluster is configured;
 * test_db_drop removes it again. */
char *test_db_create(const char *name_hint);
void test_db_drop(char **conninfo_p);

/* A fresh database with every migration and seed applied, opened and connected. */
db_t *test_db_open_migrated(const char *name_hint, char **conninfo_p);

/* Another connection to that database (a service that keeps two), NULL when it cannot connect. */
db_t *test_db_open(const char *conninfo);

/* The first value of the first row of `sql` (no parameters) as an integer, or -1 when the
 * statement failed or returned no row (the caller's assertion then shows it). */
int64_t test_db_scalar(db_t *db, const char *sql);

/* Runs `sql` (statements separated by semicolons, no parameters) on db; a failure fails the
 * running cmocka test with PostgreSQL's message. */
void test_db_script(db_t *db, const char *sql);

/* Runs fn(db, ctx) in one transaction on db: how many rows of `table` sequential scans read
 * meanwhile (pg_stat_xact_user_tables). A failure fails the running cmocka test. */
long test_db_rows_scanned(db_t *db, const char *table, db_tx_fn *fn, void *ctx);

/* The round trips run(ctx) costs on db's connection, counted in libpq's trace of it (one
 * ReadyForQuery each). A connection that is not open fails the running cmocka test. */
typedef void (test_db_run_fn)(void *ctx);
int test_db_round_trips(db_t *db, test_db_run_fn *run, void *ctx);

/* From now on every statement db runs is explained as it runs (auto_explain: analyzed, nested
 * statements too, sent to the client as it asks for LOG messages), and the rows its joins compared
 * and set aside ("Rows Removed by Join Filter") are added to *removed: a join that compares each
 * row of a run with every other shows there. A failure fails the running cmocka test. */
void test_db_count_join_filtered(db_t *db, long *removed);

/* The end of test_db_open_migrated: the connection closed, the database dropped, both NULL. */
void test_db_close(db_t **db_p, char **conninfo_p);

#endif
