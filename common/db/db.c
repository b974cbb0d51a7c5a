#include "db.h"

#include <czmq.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "db_array.h"
#include "logger.h"

#define TX_ATTEMPTS 5
#define RECONNECT_WAIT_MS 5000
#define PREPARED_MAX 128

/* How a statement is planned: PLAN_CACHED runs it prepared on a preparing connection (the server
 * may keep its plan); PLAN_EACH_CALL always runs it unnamed, parsed and planned for its values. */
typedef enum { PLAN_CACHED, PLAN_EACH_CALL } statement_plan_t;

/* A wake-up waiting for its transaction's commit (db_wake_after_commit). */
typedef struct {
    char *channel;
    char *payload;
} wakeup_t;

/* Who chooses the plans of the prepared statements (db_prepare_generic_plans, db_prepare_index_plans). */
typedef enum {
    PLANS_CHOSEN_BY_SERVER,     /* plan_cache_mode auto: PostgreSQL's own choice at every call */
    PLANS_GENERIC,
    PLANS_GENERIC_BY_INDEX,
} plan_choice_t;

/* A statement prepared on this connection under the name "s<index>". */
typedef struct {
    char *sql;
    int nparams;
} prepared_t;

struct db_t {
    char *conninfo;
    PGconn *conn;
    bool in_transaction;
    bool deferring;             /* db_defer: statements without results are sent, not waited for */
    int deferred;               /* sent and not yet answered */
    db_error_t deferred_error;  /* the first of them that failed */
    bool preparing;             /* db_prepare_statements: statements are parsed and planned once */
    plan_choice_t plans;        /* set again at every connection */
    prepared_t prepared[PREPARED_MAX];
    int prepared_count;
    unsigned long generation;
    long statement_timeout_ms;
    wakeup_t *wakeups;          /* to send once the transaction has committed */
    size_t wakeup_count, wakeup_room;
};

static void set_error(db_error_t *error, const char *sqlstate, const char *message)
{
    if (!error)
        return;
    snprintf(error->sqlstate, sizeof error->sqlstate, "%s", sqlstate ? sqlstate : "");
    snprintf(error->message, sizeof error->message, "%s", message ? message : "");
    size_t n = strlen(error->message);
    while (n && (error->message[n - 1] == '\n' || error->message[n - 1] == ' '))
        error->message[--n] = '\0';
}

static void sleep_ms(int ms)
{
    struct timespec pause = {ms / 1000, (long) (ms % 1000) * 1000000L};
    nanosleep(&pause, NULL);
}

/* Prepared statements live and die with the connection. */
static void forget_prepared(db_t *self)
{
    for (int i = 0; i < self->prepared_count; i++)
        free(self->prepared[i].sql);
    self->prepared_count = 0;
}

static void forget_wakeups(db_t *self)
{
    for (size_t i = 0; i < self->wakeup_count; i++) {
        free(self->wakeups[i].channel);
        free(self->wakeups[i].payload);
    }
    self->wakeup_count = 0;
}

db_t *db_new(const char *conninfo)
{
    db_t *self = calloc(1, sizeof *self);
    if (!self)
        return NULL;
    self->conninfo = strdup(conninfo);
    if (!self->conninfo) {
        free(self);
        return NULL;
    }
    return self;
}

void db_destroy(db_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    if ((*self_p)->conn)
        PQfinish((*self_p)->conn);
    forget_prepared(*self_p);
    forget_wakeups(*self_p);
    free((*self_p)->wakeups);
    free((*self_p)->conninfo);
    free(*self_p);
    *self_p = NULL;
}

/* Server notices (e.g. "relation already exists, skipping") belong in the JSON log, not raw on stderr. */
static void log_notice(void *arg, const char *message)
{
    (void) arg;
    logger_debug("postgres: %.*s", (int) strcspn(message, "\n"), message);
}

static PGresult *run(db_t *self, const char *sql, int nparams, const char *const *params, statement_plan_t plan,
                     db_error_t *error);

static int set_statement_timeout(db_t *self, long ms, bool local, db_error_t *error)
{
    char value[24];
    snprintf(value, sizeof value, "%ld", ms);
    const char *params[] = {value, local ? "true" : "false"};
    PGresult *result = run(self, "SELECT set_config('statement_timeout', $1, $2::boolean)", 2, params, PLAN_CACHED,
                           error);
    PQclear(result);
    return result ? 0 : -1;
}

/* Without parameters: a prepared statement with one would be planned for its value, the custom
 * plan test_intake_commands finds none of on intake's connection. Each names every setting, so a
 * connection that changes its choice keeps none of the other's. */
static const char *const plan_settings[] = {
    [PLANS_GENERIC] = "SELECT set_config('plan_cache_mode', 'force_generic_plan', false), "
                      "set_config('enable_seqscan', 'on', false), "
                      "set_config('enable_bitmapscan', 'on', false)",
    [PLANS_GENERIC_BY_INDEX] = "SELECT set_config('plan_cache_mode', 'force_generic_plan', false), "
                               "set_config('enable_seqscan', 'off', false), "
                               "set_config('enable_bitmapscan', 'off', false)",
};

static int set_plan_choice(db_t *self, db_error_t *error)
{
    PGresult *result = run(self, plan_settings[self->plans], 0, NULL, PLAN_CACHED, error);
    PQclear(result);
    return result ? 0 : -1;
}

static int connect_once(db_t *self, db_error_t *error)
{
    if (self->conn)
        PQfinish(self->conn);
    self->conn = PQconnectdb(self->conninfo);
    forget_prepared(self);
    self->in_transaction = false;
    self->deferring = false;
    self->deferred = 0;
    if (self->conn && PQstatus(self->conn) == CONNECTION_OK) {
        PQsetNoticeProcessor(self->conn, log_notice, NULL);
        self->generation++;
        if (self->statement_timeout_ms && set_statement_timeout(self, self->statement_timeout_ms, false, error) != 0)
            return -1;
        return self->plans == PLANS_CHOSEN_BY_SERVER ? 0 : set_plan_choice(self, error);
    }
    set_error(error, "08001", self->conn ? PQerrorMessage(self->conn) : "out of memory");
    return -1;
}

int db_connect(db_t *self, int wait_ms, db_error_t *error)
{
    int64_t deadline = zclock_mono() + wait_ms;
    int pause = 100;
    while (connect_once(self, error) != 0) {
        if (zsys_interrupted || zclock_mono() + pause > deadline)
            return -1;
        sleep_ms(pause);
        pause = pause * 2 > 2000 ? 2000 : pause * 2;
    }
    return 0;
}

PGconn *db_pgconn(db_t *self)
{
    return db_is_connected(self) ? self->conn : NULL;
}

unsigned long db_generation(const db_t *self)
{
    return self->generation;
}

bool db_is_connected(db_t *self)
{
    return self->conn && PQstatus(self->conn) == CONNECTION_OK;
}

static int prepared_index(const db_t *self, const char *sql, int nparams)
{
    for (int i = 0; i < self->prepared_count; i++)
        if (self->prepared[i].nparams == nparams && strcmp(self->prepared[i].sql, sql) == 0)
            return i;
    return -1;
}

static void prepared_name(int index, char name[16])
{
    snprintf(name, 16, "s%d", index);
}

/* The statement's index among the prepared ones, preparing it now if there is room; -1 to run it
 * unprepared. A statement that fails to prepare is run unprepared, which reports its error. */
static int prepare(db_t *self, const char *sql, int nparams)
{
    int index = prepared_index(self, sql, nparams);
    if (index >= 0 || self->prepared_count == PREPARED_MAX)
        return index;
    char name[16];
    prepared_name(self->prepared_count, name);
    PGresult *result = PQprepare(self->conn, name, sql, nparams, NULL);
    bool ok = result && PQresultStatus(result) == PGRES_COMMAND_OK;
    PQclear(result);
    char *copy = ok ? strdup(sql) : NULL;
    if (!copy)
        return -1;
    self->prepared[self->prepared_count] = (prepared_t) {copy, nparams};
    return self->prepared_count++;
}

static PGresult *send_statement(db_t *self, const char *sql, int nparams, const char *const *params,
                                statement_plan_t plan)
{
    int index = self->preparing && plan == PLAN_CACHED ? prepare(self, sql, nparams) : -1;
    if (index < 0)
        return PQexecParams(self->conn, sql, nparams, NULL, params, NULL, NULL, 0);
    char name[16];
    prepared_name(index, name);
    return PQexecPrepared(self->conn, name, nparams, params, NULL, NULL, 0);
}

/* A statement this connection would prepare before running it: PQprepare waits for its answer,
 * which pipeline mode does not allow. */
static bool to_prepare(const db_t *self, const char *sql, int nparams, statement_plan_t plan)
{
    return self->preparing && plan == PLAN_CACHED && prepared_index(self, sql, nparams) < 0
           && self->prepared_count < PREPARED_MAX;
}

/* Puts a statement into the pipeline, prepared when it already is: 0, or -1 (the connection's). */
static int send_queued(db_t *self, const char *sql, int nparams, const char *const *params, statement_plan_t plan)
{
    int index = self->preparing && plan == PLAN_CACHED ? prepared_index(self, sql, nparams) : -1;
    char name[16];
    prepared_name(index, name);
    return (index >= 0 ? PQsendQueryPrepared(self->conn, name, nparams, params, NULL, NULL, 0)
                       : PQsendQueryParams(self->conn, sql, nparams, NULL, params, NULL, NULL, 0)) == 1 ? 0 : -1;
}

/* The result itself when it is a success; else NULL with the error. */
static PGresult *checked(db_t *self, PGresult *result, db_error_t *error)
{
    ExecStatusType status = result ? PQresultStatus(result) : PGRES_FATAL_ERROR;
    if (status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK)
        return result;
    const char *sqlstate = result ? PQresultErrorField(result, PG_DIAG_SQLSTATE) : NULL;
    /* A lost connection is reported as such whatever the last result said. */
    if (!self->conn || PQstatus(self->conn) == CONNECTION_BAD)
        sqlstate = "08006";
    const char *message = result ? PQresultErrorMessage(result) : NULL;
    set_error(error, sqlstate, message && *message ? message
                               : self->conn ? PQerrorMessage(self->conn) : "the connection was closed");
    PQclear(result);
    return NULL;
}

/* A result read in pipeline mode: 0 for success, or -1 with the error (the first one kept). */
static int deferred_result(db_t *self, PGresult *result)
{
    ExecStatusType status = result ? PQresultStatus(result) : PGRES_FATAL_ERROR;
    int rc = status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK ? 0 : -1;
    if (rc != 0 && !self->deferred_error.message[0]) {
        const char *sqlstate = result ? PQresultErrorField(result, PG_DIAG_SQLSTATE) : NULL;
        const char *message = result ? PQresultErrorMessage(result) : PQerrorMessage(self->conn);
        if (PQstatus(self->conn) == CONNECTION_BAD)
            sqlstate = "08006";
        /* the message is what marks the failure: never leave it empty */
        set_error(&self->deferred_error, sqlstate ? sqlstate : "08006",
                  message && *message ? message : "a deferred statement failed");
    }
    PQclear(result);
    return rc;
}

/* Ends the pipeline with a Sync and reads an answer for each statement in it, in the order they
 * were sent: the `deferred` ones first (their first failure kept), then `count` more, whose
 * results go into answers[] (NULL where none came) for the caller. */
static void read_answers(db_t *self, PGresult **answers, int count)
{
    for (int i = 0; i < count; i++)
        answers[i] = NULL;
    int sent = self->deferred + count;
    if (sent > 0 && PQpipelineSync(self->conn) == 1) {
        for (int read = 0; read < sent;) {
            PGresult *result = PQgetResult(self->conn);
            if (!result && PQstatus(self->conn) == CONNECTION_BAD)
                break;
            if (!result)
                continue;        /* the end of one statement's results */
            if (PQresultStatus(result) == PGRES_PIPELINE_SYNC) {
                PQclear(result);
                break;
            }
            if (read < self->deferred)
                deferred_result(self, result);
            else
                answers[read - self->deferred] = result;
            read++;
        }
        PGresult *sync;
        while ((sync = PQgetResult(self->conn)) && PQresultStatus(sync) != PGRES_PIPELINE_SYNC)
            PQclear(sync);
        PQclear(sync);
        while ((sync = PQgetResult(self->conn)))   /* libpq is idle only after the NULL that follows */
            PQclear(sync);
    } else if (self->deferred > 0)
        deferred_result(self, NULL);
    self->deferred = 0;
}

/* After read_answers: leaves pipeline mode unless `stay` (and still deferring), and returns 0, or
 * -1 with the first failure of the deferred statements (reported once). */
static int end_answers(db_t *self, bool stay, db_error_t *error)
{
    if (!(stay && self->deferring) && PQexitPipelineMode(self->conn) != 1) {
        /* answers out of step with what was sent: this session cannot be trusted any more */
        if (!self->deferred_error.message[0])
            set_error(&self->deferred_error, "08006", PQerrorMessage(self->conn));
        PQfinish(self->conn);
        self->conn = NULL;
        self->deferring = false;
        forget_prepared(self);
    }
    if (!self->deferred_error.message[0])
        return 0;
    *error = self->deferred_error;
    memset(&self->deferred_error, 0, sizeof self->deferred_error);
    return -1;
}

/* Leaves pipeline mode after the answers to every statement sent unanswered; 0, or -1 with the
 * first failure among them (reported once). Deferring itself goes on. */
static int collect_deferred(db_t *self, db_error_t *error)
{
    if (PQpipelineStatus(self->conn) == PQ_PIPELINE_OFF)
        return 0;
    read_answers(self, NULL, 0);
    return end_answers(self, false, error);
}

/* Back into pipeline mode after a statement that had to run alone, while deferring; if libpq
 * refuses, answers are awaited one by one: slower, never wrong. */
static void resume_deferring(db_t *self)
{
    if (self->deferring && PQenterPipelineMode(self->conn) != 1)
        self->deferring = false;
}

/* Sends the statement behind those still unanswered and reads every answer in one round trip. */
static PGresult *run_queued(db_t *self, const char *sql, int nparams, const char *const *params,
                            statement_plan_t plan, db_error_t *error)
{
    PGresult *answer = NULL;
    if (send_queued(self, sql, nparams, params, plan) == 0)
        read_answers(self, &answer, 1);
    else
        read_answers(self, NULL, 0);
    if (end_answers(self, true, error) != 0) {
        PQclear(answer);
        return NULL;
    }
    return checked(self, answer, error);
}

/* Runs one statement; NULL with the error unless the result is a success. */
static PGresult *run(db_t *self, const char *sql, int nparams, const char *const *params, statement_plan_t plan,
                     db_error_t *error)
{
    if (!self->conn) {
        set_error(error, "08003", "not connected");
        return NULL;
    }
    /* A statement whose answer is read waits for those sent before it (the transaction's BEGIN,
     * deferred ones) and fails with their failure: the work after them never sees a state they did
     * not reach. It goes out with them when it can. */
    if (PQpipelineStatus(self->conn) != PQ_PIPELINE_OFF && !to_prepare(self, sql, nparams, plan))
        return run_queued(self, sql, nparams, params, plan, error);
    if (collect_deferred(self, error) != 0)
        return NULL;
    PGresult *result = send_statement(self, sql, nparams, params, plan);
    resume_deferring(self);
    return checked(self, result, error);
}

/* After a call that failed outside a transaction because the server went away (restart,
 * failover): true once a fresh connection is made, for one more try. */
static bool reconnected_for_retry(db_t *self, db_error_t *error)
{
    if (self->in_transaction || (self->conn && PQstatus(self->conn) == CONNECTION_OK))
        return false;
    logger_warn("database connection lost; reconnecting");
    return db_connect(self, RECONNECT_WAIT_MS, error) == 0;
}

static PGresult *exec_with_retry(db_t *self, const char *sql, int nparams, const char *const *params,
                                 statement_plan_t plan, db_error_t *error)
{
    PGresult *result = run(self, sql, nparams, params, plan, error);
    if (result || !reconnected_for_retry(self, error))
        return result;
    return run(self, sql, nparams, params, plan, error);
}

PGresult *db_exec(db_t *self, const char *sql, int nparams, const char *const *params, db_error_t *error)
{
    return exec_with_retry(self, sql, nparams, params, PLAN_CACHED, error);
}

PGresult *db_exec_planned(db_t *self, const char *sql, int nparams, const char *const *params, db_error_t *error)
{
    return exec_with_retry(self, sql, nparams, params, PLAN_EACH_CALL, error);
}

/* Prepares, while nothing is in flight, each statement the connection would prepare: PQprepare
 * waits for its answer, which pipeline mode does not allow. 0, or -1 with a deferred failure. */
static int prepare_each(db_t *self, const db_statement_t *statements, size_t count, db_error_t *error)
{
    for (size_t i = 0; i < count; i++) {
        if (!to_prepare(self, statements[i].sql, statements[i].nparams, PLAN_CACHED))
            continue;
        if (collect_deferred(self, error) != 0)
            return -1;
        prepare(self, statements[i].sql, statements[i].nparams);
        resume_deferring(self);
    }
    return 0;
}

/* Sends every statement behind those still unanswered and reads all the answers in one round
 * trip; on any failure (the first kept in *error) no answer is handed out. */
static int run_all(db_t *self, const db_statement_t *statements, size_t count, PGresult **answers,
                   db_error_t *error)
{
    if (!self->conn) {
        set_error(error, "08003", "not connected");
        return -1;
    }
    if (prepare_each(self, statements, count, error) != 0)
        return -1;
    if (PQpipelineStatus(self->conn) == PQ_PIPELINE_OFF && PQenterPipelineMode(self->conn) != 1) {
        set_error(error, "08006", PQerrorMessage(self->conn));
        return -1;
    }
    size_t sent = 0;
    while (sent < count
           && send_queued(self, statements[sent].sql, statements[sent].nparams, statements[sent].params,
                          PLAN_CACHED) == 0)
        sent++;
    read_answers(self, answers, (int) sent);
    int rc = end_answers(self, true, error);
    if (rc == 0 && sent < count) {
        set_error(error, "08006", self->conn ? PQerrorMessage(self->conn) : "the connection was closed");
        rc = -1;
    }
    for (size_t i = 0; i < sent; i++) {
        db_error_t failure;
        answers[i] = checked(self, answers[i], &failure);
        if (!answers[i] && rc == 0) {
            *error = failure;
            rc = -1;
        }
    }
    for (size_t i = 0; i < count && rc != 0; i++) {
        PQclear(answers[i]);
        answers[i] = NULL;
    }
    return rc;
}

int db_exec_all(db_t *self, const db_statement_t *statements, size_t count, PGresult **answers, db_error_t *error)
{
    for (size_t i = 0; i < count; i++)
        answers[i] = NULL;
    int rc = run_all(self, statements, count, answers, error);
    if (rc == 0 || !reconnected_for_retry(self, error))
        return rc;
    return run_all(self, statements, count, answers, error);
}

int db_defer(db_t *self, db_error_t *error)
{
    if (!self->conn || !self->in_transaction) {
        set_error(error, "08003", self->conn ? "db_defer outside a transaction" : "not connected");
        return -1;
    }
    if (self->deferring)
        return 0;
    if (PQenterPipelineMode(self->conn) != 1) {
        set_error(error, "08006", PQerrorMessage(self->conn));
        return -1;
    }
    self->deferring = true;
    return 0;
}

int db_undefer(db_t *self, db_error_t *error)
{
    int rc = self->deferring ? collect_deferred(self, error) : 0;
    self->deferring = false;
    return rc;
}

int db_exec_ok(db_t *self, const char *sql, int nparams, const char *const *params, db_error_t *error)
{
    if (self->deferring && to_prepare(self, sql, nparams, PLAN_CACHED)) {
        /* prepared while nothing is in flight (once per statement and connection), so that a
         * failure in the pipeline can never leave a statement half known */
        if (collect_deferred(self, error) != 0)
            return -1;
        prepare(self, sql, nparams);
        resume_deferring(self);
    }
    if (self->deferring) {
        if (send_queued(self, sql, nparams, params, PLAN_CACHED) != 0) {
            set_error(error, "08006", PQerrorMessage(self->conn));
            return -1;
        }
        self->deferred++;
        return 0;
    }
    PGresult *result = db_exec(self, sql, nparams, params, error);
    PQclear(result);
    return result ? 0 : -1;
}

char *db_value_dup(const PGresult *result, int row, int column)
{
    return PQgetisnull(result, row, column) ? NULL : strdup(PQgetvalue(result, row, column));
}

int db_query_value(db_t *self, const char *sql, int nparams, const char *const *params, char **value,
                   db_error_t *error)
{
    *value = NULL;
    PGresult *result = db_exec(self, sql, nparams, params, error);
    if (!result)
        return -1;
    bool has_value = PQntuples(result) > 0 && PQnfields(result) > 0 && !PQgetisnull(result, 0, 0);
    *value = has_value ? strdup(PQgetvalue(result, 0, 0)) : NULL;
    PQclear(result);
    if (has_value && !*value) {
        snprintf(error->message, sizeof error->message, "out of memory");
        error->sqlstate[0] = '\0';
        return -1;
    }
    return 0;
}

int db_exec_script(db_t *self, const char *sql, db_error_t *error)
{
    /* A script is sent on its own: the transaction's BEGIN is answered first. */
    if (self->conn && collect_deferred(self, error) != 0)
        return -1;
    PGresult *result = self->conn ? PQexec(self->conn, sql) : NULL;
    if (self->conn)
        resume_deferring(self);
    ExecStatusType status = result ? PQresultStatus(result) : PGRES_FATAL_ERROR;
    int rc = status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK ? 0 : -1;
    if (rc != 0)
        set_error(error, result ? PQresultErrorField(result, PG_DIAG_SQLSTATE) : "08003",
                  result ? PQresultErrorMessage(result) : "not connected");
    PQclear(result);
    return rc;
}

bool db_error_is_retryable(const db_error_t *error)
{
    const char *s = error->sqlstate;
    return strncmp(s, "08", 2) == 0 || strcmp(s, "40001") == 0 || strcmp(s, "40P01") == 0
           || strcmp(s, "57P01") == 0 || strcmp(s, "57P02") == 0 || strcmp(s, "57P03") == 0;
}

static int simple(db_t *self, const char *sql, db_error_t *error)
{
    PGresult *result = run(self, sql, 0, NULL, PLAN_CACHED, error);
    PQclear(result);
    return result ? 0 : -1;
}

/* NOTIFY in a transaction of its own, which writes nothing and so waits for no flush: PostgreSQL
 * holds one lock of the database from a notifying transaction's commit until that commit is
 * flushed, so notifying commits with data never share a flush. */
static int wake(db_t *self, const char *channel, const char *payload, db_error_t *error)
{
    const char *params[] = {channel, payload};
    PGresult *r = run(self, "SELECT pg_notify($1, $2)", 2, params, PLAN_CACHED, error);
    PQclear(r);
    return r ? 0 : -1;
}

static bool wakeup_pending(const db_t *self, const char *channel, const char *payload)
{
    for (size_t i = 0; i < self->wakeup_count; i++)
        if (strcmp(self->wakeups[i].channel, channel) == 0 && strcmp(self->wakeups[i].payload, payload) == 0)
            return true;
    return false;
}

static int keep_wakeup(db_t *self, const char *channel, const char *payload, db_error_t *error)
{
    if (self->wakeup_count == self->wakeup_room) {
        size_t room = self->wakeup_room ? 2 * self->wakeup_room : 4;
        wakeup_t *grown = realloc(self->wakeups, room * sizeof *grown);
        if (!grown) {
            set_error(error, "", "out of memory for a wake-up");
            return -1;
        }
        self->wakeups = grown;
        self->wakeup_room = room;
    }
    wakeup_t w = {strdup(channel), strdup(payload)};
    if (!w.channel || !w.payload) {
        free(w.channel);
        free(w.payload);
        set_error(error, "", "out of memory for a wake-up");
        return -1;
    }
    self->wakeups[self->wakeup_count++] = w;
    return 0;
}

int db_wake_after_commit(db_t *self, const char *channel, const char *payload, db_error_t *error)
{
    if (!self->in_transaction)
        return wake(self, channel, payload, error);
    return wakeup_pending(self, channel, payload) ? 0 : keep_wakeup(self, channel, payload, error);
}

/* BEGIN goes out with the transaction's first statement, not in a round trip of its own. */
static int begin(db_t *self, db_error_t *error)
{
    if (PQenterPipelineMode(self->conn) != 1 || send_queued(self, "BEGIN", 0, NULL, PLAN_EACH_CALL) != 0) {
        set_error(error, "08006", PQerrorMessage(self->conn));
        return -1;
    }
    self->deferred++;
    return 0;
}

static const char wake_all_sql[] =
    "SELECT pg_notify(w.channel, w.payload) FROM unnest($1::text[], $2::text[]) AS w(channel, payload)";

static void log_unsent_wakeups(const db_t *self, const char *why)
{
    for (size_t i = 0; i < self->wakeup_count; i++)
        logger_warn("wake-up on %s not sent (its listeners will poll): %s", self->wakeups[i].channel, why);
}

/* The transaction's wake-ups as one statement, put behind its COMMIT; false when there are none
 * or they could not be put there (logged). */
static bool queue_wakeups(db_t *self)
{
    if (self->wakeup_count == 0)
        return false;
    db_array_t columns[2];
    memset(columns, 0, sizeof columns);
    for (size_t i = 0; i < self->wakeup_count; i++) {
        db_array_add(&columns[0], self->wakeups[i].channel);
        db_array_add(&columns[1], self->wakeups[i].payload);
    }
    char *owned[2];
    const char *params[2];
    bool queued = db_array_take_columns(columns, 2, owned, params)
                  && send_queued(self, wake_all_sql, 2, params, PLAN_EACH_CALL) == 0;
    free(owned[0]);
    free(owned[1]);
    if (!queued)
        log_unsent_wakeups(self, "out of memory, or the connection's trouble");
    return queued;
}

/* COMMIT behind the statements still unanswered, and the wake-ups behind it, in one round trip.
 * The server reads the wake-ups once the commit has flushed, and runs them in a transaction of
 * their own; a failure before them leaves them unsent. 0, or -1 with the first failure. */
static int commit(db_t *self, db_error_t *error)
{
    self->deferring = false;
    if (!self->conn || PQenterPipelineMode(self->conn) != 1
        || send_queued(self, "COMMIT", 0, NULL, PLAN_EACH_CALL) != 0) {
        set_error(error, "08006", self->conn ? PQerrorMessage(self->conn) : "the connection was closed");
        return -1;
    }
    bool waking = queue_wakeups(self);
    PGresult *answers[2] = {NULL, NULL};
    read_answers(self, answers, waking ? 2 : 1);
    int rc = end_answers(self, false, error);
    db_error_t failure;
    PGresult *committed = checked(self, answers[0], &failure);
    if (rc == 0 && !committed) {
        *error = failure;
        rc = -1;
    }
    PQclear(committed);
    if (waking && rc == 0) {
        PGresult *woken = checked(self, answers[1], &failure);
        if (!woken)
            log_unsent_wakeups(self, failure.message);
        PQclear(woken);
    } else
        PQclear(answers[1]);
    return rc;
}

/* One attempt: BEGIN, fn, COMMIT; rolled back on any failure (also when a deferred statement's
 * failure came with the COMMIT, which leaves the transaction open). Wake-ups asked for by fn are
 * sent after the commit, and forgotten with a rollback. */
static int attempt(db_t *self, db_tx_fn *fn, void *ctx, db_error_t *error)
{
    forget_wakeups(self);
    if (!db_is_connected(self) && db_connect(self, RECONNECT_WAIT_MS, error) != 0)
        return -1;
    if (begin(self, error) != 0)
        return -1;
    self->in_transaction = true;
    int rc = fn(self, ctx, error);
    if (rc == 0)
        rc = commit(self, error);
    self->deferring = false;
    if (rc != 0 && db_is_connected(self)) {
        db_error_t ignored;
        collect_deferred(self, &ignored);
        if (db_is_connected(self))
            simple(self, "ROLLBACK", &ignored);
    }
    self->in_transaction = false;
    forget_wakeups(self);
    return rc;
}

int db_transaction(db_t *self, db_tx_fn *fn, void *ctx, db_error_t *error)
{
    db_error_t local;
    if (!error)
        error = &local;
    int rc = -1;
    for (int i = 0; i < TX_ATTEMPTS && !zsys_interrupted; i++) {
        memset(error, 0, sizeof *error);
        rc = attempt(self, fn, ctx, error);
        if (rc == 0 || !db_error_is_retryable(error))
            return rc;
        logger_warn("transaction failed (%s: %s); retrying", error->sqlstate, error->message);
        sleep_ms(20 << i);
    }
    return rc;
}

void db_prepare_statements(db_t *self)
{
    self->preparing = true;
}

static int choose_plans(db_t *self, plan_choice_t plans, db_error_t *error)
{
    self->preparing = true;
    if (self->plans == plans)
        return 0;
    self->plans = plans;
    return db_is_connected(self) ? set_plan_choice(self, error) : 0;
}

int db_prepare_generic_plans(db_t *self, db_error_t *error)
{
    return choose_plans(self, PLANS_GENERIC, error);
}

int db_prepare_index_plans(db_t *self, db_error_t *error)
{
    return choose_plans(self, PLANS_GENERIC_BY_INDEX, error);
}

void db_set_statement_timeout(db_t *self, long ms)
{
    self->statement_timeout_ms = ms;
}

typedef struct {
    long timeout_ms;
    db_tx_fn *fn;
    void *ctx;
} bounded_t;

static int bounded(db_t *self, void *ctx, db_error_t *error)
{
    const bounded_t *b = ctx;
    return set_statement_timeout(self, b->timeout_ms, true, error) == 0 ? b->fn(self, b->ctx, error) : -1;
}

int db_bounded_transaction(db_t *self, long timeout_ms, db_tx_fn *fn, void *ctx, db_error_t *error)
{
    bounded_t b = {timeout_ms, fn, ctx};
    return db_transaction(self, bounded, &b, error);
}

bool db_error_is_timeout(const db_error_t *error)
{
    return strcmp(error->sqlstate, "57014") == 0;
}
