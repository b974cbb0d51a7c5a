#include "stats_warmer.h"

#include <czmq.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>

#include "db.h"
#include "logger.h"
#include "msgpack_fields.h"
#include "service.h"
#include "stats_answer.h"

#define CONNECT_WAIT_MS 10000
#define LOOK_EVERY_MS 250
/* After a round of computations the warmer rests at least this many times as long as the round
 * took, so it keeps at most a tenth of a core busy (with its statements' planning and execution in
 * PostgreSQL) however often the facts move and however slow the documents are under load: with
 * ADUAN_STATS_WARM_EVERY 0, or a round longer than a tenth of it, the facts otherwise moved during
 * every round and the next one began a quarter of a second after it (issue 11: 306 plans of the
 * dashboard's statements in 57 s of submissions, a quarter of a core, nobody asking). */
#define REST_PER_ROUND 9
/* The warmer keeps nobody waiting: it may take longer than a query (which the gateway gives up on
 * after its command time-out anyway), so that the slowest documents get kept at all. */
#define WARM_TIMEOUT_MIN_MS 30000
/* Stopping cancels the statement running, again this often until the thread has ended (a cancel
 * that arrives between two statements cancels nothing). */
#define CANCEL_EVERY_MS 20

/* What the public dashboard asks on its first load (web/dashboard/dashboard.js, load(): level
 * city, grouped by institution, no dates): a fresh aduan-stats computes them before anyone asks. */
static const struct {
    const char *view, *group_by, *level;
} first_load[] = {
    {"summary", NULL, NULL},
    {"summary", "institution", "city"},
    {"rankings", NULL, "city"},
    {"ikm", NULL, "city"},
};

struct stats_warmer_t {
    stats_cache_t *cache;
    db_t *db;
    long statement_timeout_ms;
    int64_t recent_ms, min_interval_ms;
    pthread_t thread;
    atomic_bool stopping;
    atomic_bool finished;           /* the thread has ended */
    pthread_mutex_t cancel_lock;    /* cancel, as the thread replaces it and stopping uses it */
    PGcancel *cancel;               /* of the connection of db_generation cancel_of */
    unsigned long cancel_of;
};

static bool running(stats_warmer_t *self)
{
    return !service_interrupted() && !atomic_load(&self->stopping);
}

/* A cancel handle of the warmer's connection as it is now (it is replaced after the server went away). */
static void renew_cancel(stats_warmer_t *self)
{
    PGconn *conn = db_pgconn(self->db);
    if (!conn || (self->cancel && self->cancel_of == db_generation(self->db)))
        return;
    pthread_mutex_lock(&self->cancel_lock);
    PQfreeCancel(self->cancel);
    self->cancel = PQgetCancel(conn);
    self->cancel_of = db_generation(self->db);
    pthread_mutex_unlock(&self->cancel_lock);
}

/* Computes one kept request again; its document goes into the cache by stats_answer. */
static void warm_one(stats_warmer_t *self, const void *request, size_t size)
{
    stats_query_t q;
    char reason[256];
    if (stats_query_decode(request, size, &q, reason, sizeof reason) != 0)
        return;   /* it was decoded once already: cannot happen */
    db_error_t error = {"", ""};
    error_reply_t refusal;
    char *json = NULL;
    /* max age 0: the warmer is there to replace the stale document, never to be answered it */
    if (stats_answer(self->db, self->statement_timeout_ms, self->cache, 0, &q, request, size, &json, &refusal,
                     &error) < 0)
        logger_warn("warming stats %s failed: %s", q.view, error.message);
    free(json);
    stats_query_clear(&q);
}

int64_t stats_warmer_rest_ms(int64_t round_ms)
{
    return round_ms > LOOK_EVERY_MS / REST_PER_ROUND ? REST_PER_ROUND * round_ms : LOOK_EVERY_MS;
}

/* Sleeps `ms`, a look at a time, so that stopping does not wait for a long rest. */
static void rest(stats_warmer_t *self, int64_t ms)
{
    int64_t until = zclock_mono() + ms;
    for (int64_t left = ms; running(self) && left > 0; left = until - zclock_mono())
        zclock_sleep((int) (left < LOOK_EVERY_MS ? left : LOOK_EVERY_MS));
}

static void *warm(void *arg)
{
    stats_warmer_t *self = arg;
    while (running(self)) {
        db_error_t error = {"", ""};
        int64_t generation = stats_answer_generation(self->db, &error);
        size_t size = 0;
        void *request = NULL;
        int64_t started = zclock_mono();
        while (generation >= 0 && running(self)
               && (request = stats_cache_next_stale(self->cache, generation, zclock_mono(), self->recent_ms,
                                                    zclock_time() - self->min_interval_ms, &size))) {
            renew_cancel(self);
            warm_one(self, request, size);
            free(request);
        }
        rest(self, stats_warmer_rest_ms(zclock_mono() - started));
    }
    atomic_store(&self->finished, true);
    return NULL;
}

/* Cancels the warmer's statement, if one runs; a failed cancel is only logged: stopping then waits
 * for the statement's own time-out. */
static void cancel_statement(stats_warmer_t *self)
{
    char reason[256] = "";
    pthread_mutex_lock(&self->cancel_lock);
    if (self->cancel && !PQcancel(self->cancel, reason, sizeof reason))
        logger_warn("cancelling the stats warmer's statement failed: %s", reason);
    pthread_mutex_unlock(&self->cancel_lock);
}

/* Records the first load's queries as asked. 0, -1 out of memory. */
static int ask_first_load(stats_cache_t *cache)
{
    int done = 0;
    for (size_t i = 0; done == 0 && i < sizeof first_load / sizeof first_load[0]; i++) {
        stats_query_t q = {0};
        if (mpf_set_string(&q.view, first_load[i].view) != 0 || mpf_set_string(&q.group_by, first_load[i].group_by) != 0
            || mpf_set_string(&q.level, first_load[i].level) != 0 || stats_answer_ask(cache, &q) != 0)
            done = -1;
        stats_query_clear(&q);
    }
    return done;
}

stats_warmer_t *stats_warmer_start(stats_cache_t *cache, const char *db_url, long statement_timeout_ms,
                                   int64_t recent_ms, int64_t min_interval_ms, char *reason, size_t reason_cap)
{
    stats_warmer_t *self = calloc(1, sizeof *self);
    db_error_t error = {"", ""};
    if (!self || !(self->db = db_new(db_url))) {
        snprintf(reason, reason_cap, "out of memory");
        free(self);
        return NULL;
    }
    pthread_mutex_init(&self->cancel_lock, NULL);
    self->cache = cache;
    self->statement_timeout_ms = statement_timeout_ms && statement_timeout_ms < WARM_TIMEOUT_MIN_MS
                                     ? WARM_TIMEOUT_MIN_MS : statement_timeout_ms;
    self->recent_ms = recent_ms;
    self->min_interval_ms = min_interval_ms;
    if (ask_first_load(cache) != 0)
        snprintf(reason, reason_cap, "out of memory");
    else if (db_connect(self->db, CONNECT_WAIT_MS, &error) != 0)
        snprintf(reason, reason_cap, "stats warmer: %s", error.message);
    else if (pthread_create(&self->thread, NULL, warm, self) != 0)
        snprintf(reason, reason_cap, "cannot start the stats warmer");
    else
        return self;
    db_destroy(&self->db);
    pthread_mutex_destroy(&self->cancel_lock);
    free(self);
    return NULL;
}

void stats_warmer_stop(stats_warmer_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    stats_warmer_t *self = *self_p;
    atomic_store(&self->stopping, true);
    /* a warming statement may run for its whole time-out (30 s and more): the service stops now */
    while (!atomic_load(&self->finished)) {
        cancel_statement(self);
        zclock_sleep(CANCEL_EVERY_MS);
    }
    pthread_join(self->thread, NULL);
    PQfreeCancel(self->cancel);
    pthread_mutex_destroy(&self->cancel_lock);
    db_destroy(&self->db);
    free(self);
    *self_p = NULL;
}
