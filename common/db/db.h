#ifndef ADUAN_DB_H
#define ADUAN_DB_H
#include <libpq-fe.h>
#include <stdbool.h>

/* One PostgreSQL connection with the habits every service needs: connect with retry, reconnect
 * after the server restarts, parameterised statements only, transactions retried as a whole when
 * the connection drops or the server asks for it (serialization failure, deadlock). Not
 * thread-safe: one db_t per thread. */
typedef struct db_t db_t;

typedef struct {
    char sqlstate[6];      /* "" when the failure was not the server's (e.g. connection) */
    char message[512];
} db_error_t;

/* conninfo: a libpq connection string or URI; nothing is connected yet. */
db_t *db_new(const char *conninfo);
void db_destroy(db_t **self_p);

/* Connects, retrying with capped exponential backoff until connected or wait_ms has passed
 * (0 = one attempt). Stops early when the process is interrupted (SIGINT/SIGTERM). */
int db_connect(db_t *self, int wait_ms, db_error_t *error);
bool db_is_connected(db_t *self);

/* For LISTEN/NOTIFY and polling the connection's socket only; NULL when not connected. The
 * connection is replaced when the server went away: db_generation changes each time, and
 * session state (LISTEN, session advisory locks) must then be set up again. */
PGconn *db_pgconn(db_t *self);
unsigned long db_generation(const db_t *self);

/* One statement with text parameters (NULL = SQL NULL). Outside a transaction, a statement that
 * failed because the connection was lost is retried once on a fresh connection. Returns a result
 * with status COMMAND_OK or TUPLES_OK (caller PQclear()s it), or NULL with the error. */
PGresult *db_exec(db_t *self, const char *sql, int nparams, const char *const *params,
                  db_error_t *error);

/* db_exec of a statement planned for its parameters at every call, on a connection that prepares
 * statements too (db_prepare_statements): it runs unnamed, and PostgreSQL makes a plan for these
 * values (not under db_prepare_generic_plans, whose setting covers unnamed statements too). For a
 * statement whose plan must fit each call's input and the tables as they are now, where a generic
 * plan made once may read a whole table. The statements its triggers and foreign keys run keep
 * their own cached plans. */
PGresult *db_exec_planned(db_t *self, const char *sql, int nparams, const char *const *params,
                          db_error_t *error);

/* One statement of db_exec_all; its strings are borrowed for the call. */
typedef struct {
    const char *sql;
    int nparams;
    const char *const *params;
} db_statement_t;

/* Several statements whose answers are all needed, sent together (behind the transaction's BEGIN
 * and the deferred statements still unanswered) and answered in one round trip instead of one
 * each. They run in order, each seeing what the ones before it did (in its own snapshot outside
 * REPEATABLE READ: a lookup after a lock sees what the lock's last holder committed). Retried as
 * db_exec is. 0 with answers[i] the success of statements[i] (caller PQclear()s each), or -1 with
 * the first failure and every answer NULL. */
int db_exec_all(db_t *self, const db_statement_t *statements, size_t count, PGresult **answers, db_error_t *error);

/* A statement whose result is not needed: 0, or -1 with the error. While deferring (db_defer) it
 * is only sent, and 0 means sent: its failure is returned by the next statement whose result is
 * read, by db_undefer, or fails the transaction at its end. */
int db_exec_ok(db_t *self, const char *sql, int nparams, const char *const *params, db_error_t *error);

/* Inside db_transaction: from now on, statements whose result is not needed (db_exec_ok) are sent
 * without waiting for their answers (libpq pipeline mode), so a run of them costs one round trip
 * instead of one each. A statement whose result is read waits for them first. Deferring ends with
 * db_undefer or with the transaction; a deferred failure fails the transaction as an immediate one
 * would. 0, or -1 with the error. */
int db_defer(db_t *self, db_error_t *error);
/* Waits for the deferred statements and stops deferring: 0, or -1 with the first failure. */
int db_undefer(db_t *self, db_error_t *error);

/* A malloc'd copy of one value of a result, NULL for SQL NULL. */
char *db_value_dup(const PGresult *result, int row, int column);

/* The first column of the first row of a query, malloc'd into *value (NULL when there is no row
 * or the value is NULL). 0, or -1 with the error. For queries that render one JSON document. */
int db_query_value(db_t *self, const char *sql, int nparams, const char *const *params, char **value,
                   db_error_t *error);

/* A trusted, parameterless script of several statements (migrations and seeds only). */
int db_exec_script(db_t *self, const char *sql, db_error_t *error);

/* Runs fn between BEGIN and COMMIT. fn returns 0 to commit or non-zero to roll back (that value is
 * returned, with fn's error). When the transaction fails for a retryable reason (connection lost,
 * 40001, 40P01) it is run again from the start, up to a few times. BEGIN costs no round trip of
 * its own (it goes out with the first statement), nor does COMMIT (it goes out with the deferred
 * statements still unanswered, and the wake-ups after it). */
typedef int (db_tx_fn)(db_t *db, void *ctx, db_error_t *error);
int db_transaction(db_t *self, db_tx_fn *fn, void *ctx, db_error_t *error);

/* A wake-up (pg_notify(channel, payload)) for whoever LISTENs on channel (db_wakeup.h), sent once
 * the current db_transaction has committed, in a transaction of its own that writes nothing and so
 * waits for no flush; outside a transaction at once. Never inside the transaction: PostgreSQL holds
 * one lock of the database from a notifying transaction's commit until that commit is flushed, so
 * every service's notifying commits would wait for each other's flushes in turn (pgbench, 16
 * clients: an insert that notifies 2 900 commits a second, the insert alone 9 500). The same
 * channel and payload asked twice in a transaction is sent once; a rolled-back transaction sends
 * none. A wake-up that cannot be sent after the commit is logged, not returned: the work is
 * committed, and a listener polls too. 0, or -1 with the error (out of memory; outside a
 * transaction, the statement's). */
int db_wake_after_commit(db_t *self, const char *channel, const char *payload, db_error_t *error);

/* From now on each distinct statement text (the first 128) is prepared on this connection the first
 * time its answer is read, and runs prepared afterwards (deferred ones too): the server parses it
 * once and may keep its plan, where an unnamed statement is parsed and planned on every call. For a
 * connection that repeats a fixed set of statements (a consumer's); a new connection prepares
 * again. */
void db_prepare_statements(db_t *self);

/* db_prepare_statements, and each prepared statement runs on its generic plan, made once for every
 * value of its parameters (plan_cache_mode force_generic_plan: session-wide, set now when connected
 * and again on every (re)connection). PostgreSQL's own choice keeps planning a statement whose
 * generic plan it estimates dearer than its plans for the values at hand, as it does for the
 * unnest($1) and = ANY($1) of a batch's arrays (ten elements assumed, fewer in most batches) even
 * where the plan is the same. A generic plan is made once, on the tables as they are then (and
 * again after an analyze of one): only for a connection whose every statement's generic plan was
 * checked to be the right one at any size of its tables. 0, or -1 with the error (statements
 * are then planned as before until the next connection). */
int db_prepare_generic_plans(db_t *self, db_error_t *error);

/* db_prepare_generic_plans with sequential and bitmap scans priced out (enable_seqscan and
 * enable_bitmapscan off, session-wide, set again on every connection): each generic plan walks an
 * index wherever one answers, in its order, whatever the table's size when the plan was made.
 * Without it, a plan made while a table was young reads it whole, cheaper at twenty rows, and
 * keeps doing so as the table grows, until an analyze has it planned again; a bitmap scan reads
 * every matching row before a LIMIT can stop it. Which index a plan walks is still the planner's
 * choice: a statement must leave one clearly cheapest (its conditions and order) at any size. For
 * a connection whose every statement is written so; it saves planning a statement at every call.
 * 0, or -1 with the error (statements are then planned as before until the next connection). */
int db_prepare_index_plans(db_t *self, db_error_t *error);

/* Statements on behalf of people must answer, not hang: the server cancels one that runs longer
 * than `ms` (0 = never) with SQLSTATE 57014 (db_error_is_timeout). Session-wide, set again on every
 * (re)connection; for a connection that serves only such statements. */
void db_set_statement_timeout(db_t *self, long ms);

/* db_transaction with the statements of fn cancelled after timeout_ms (0 = never), for the queries
 * of a connection that also does work which must not be cut short. */
int db_bounded_transaction(db_t *self, long timeout_ms, db_tx_fn *fn, void *ctx, db_error_t *error);

bool db_error_is_timeout(const db_error_t *error);

/* True for failures that a new attempt may cure: connection trouble (class 08, 57P01..03),
 * serialization failure, deadlock. */
bool db_error_is_retryable(const db_error_t *error);

#endif
