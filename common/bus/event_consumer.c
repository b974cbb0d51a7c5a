#include "event_consumer.h"

#include <czmq.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "envelope.h"
#include "event_log.h"
#include "idle_memory.h"
#include "logger.h"
#include "metrics.h"
#include "stream_reader.h"

#define TICK_MS 500
#define MEMBER_EXPIRY "5 seconds"
#define LOG_BATCH 500
#define RUN_DEFAULT 1000
/* Events handled before a quiet spell after which the member hands memory back, and the spell:
 * the stale live events queued meanwhile are read and freed in the first idle rounds, so a trim at
 * once would find them still in use. */
#define TRIM_AFTER 1000
#define TRIM_IDLE_MS 2000

struct event_consumer_t {
    event_consumer_config_t config;
    char *group, *prefix;
    char member_id[128];
    db_t *db;
    stream_reader_t *reader;
    bool *owned;
    int64_t *positions;         /* last seq done, per partition (meaningful where owned) */
    bool *stalled;              /* on an event that failed, until the cursor rewinds to it */
    bool *touched;              /* per partition: has work in the run being handled */
    int64_t *done_to;           /* per partition: the position the run being handled reaches */
    event_t *run;               /* run_max events read from the stream */
    int owned_count;
    int64_t cursor;             /* next seq to look at */
    int64_t head;
    int64_t next_tick;
    bool numbers_log;           /* this role may number the log (stats, or the owner in a one-URL set-up) */
    uint64_t handled_events;    /* every event handled, for idle_memory */
    idle_memory_t *idle;
    metrics_counter_t *handled_total;
    metrics_gauge_t *lag_gauge, *owned_gauge;
};

static PGresult *query(event_consumer_t *self, const char *sql, int n, const char *const *params)
{
    db_error_t error;
    PGresult *r = db_exec(self->db, sql, n, params, &error);
    if (!r)
        logger_warn("consumer %s: %s", self->group, error.message);
    return r;
}

static bool run_sql(event_consumer_t *self, const char *sql, int n, const char *const *params)
{
    PGresult *r = query(self, sql, n, params);
    PQclear(r);
    return r != NULL;
}

/* Stable across processes and languages: FNV-1a of the tracking id. */
static int partition_of(const event_consumer_t *self, const event_t *event)
{
    uint32_t hash = 2166136261u;
    for (const char *p = event->tracking_id ? event->tracking_id : ""; *p; p++)
        hash = (hash ^ (unsigned char) *p) * 16777619u;
    return event->tracking_id ? (int) (hash % (uint32_t) self->config.partitions) : 0;
}

static void partition_text(int partition, char out[16])
{
    snprintf(out, 16, "%d", partition);
}

/* The owned partitions whose position is below `below`, as an SQL array literal "{0,3,5}";
 * false when there are none. */
static bool owned_array(const event_consumer_t *self, int64_t below, char *out, size_t cap)
{
    size_t n = (size_t) snprintf(out, cap, "{");
    for (int p = 0; p < self->config.partitions && n + 16 < cap; p++)
        if (self->owned[p] && !self->stalled[p] && self->positions[p] < below)
            n += (size_t) snprintf(out + n, cap - n, "%s%d", n > 1 ? "," : "", p);
    snprintf(out + n, cap - n, "}");
    return n > 1;
}

/* Heartbeat of this member; returns the number of live members of the group (>= 1), or -1. */
static int live_members(event_consumer_t *self)
{
    const char *params[] = {self->group, self->member_id};
    if (!run_sql(self, "INSERT INTO consumer_members (group_name, member_id, last_seen) VALUES ($1, $2, now()) "
                       "ON CONFLICT (group_name, member_id) DO UPDATE SET last_seen = now()", 2, params)
        || !run_sql(self, "DELETE FROM consumer_members WHERE group_name = $1 AND member_id <> $2 "
                          "AND last_seen < now() - interval '" MEMBER_EXPIRY "'", 2, params))
        return -1;
    PGresult *r = query(self, "SELECT count(*) FROM consumer_members WHERE group_name = $1", 1, params);
    int live = r ? atoi(PQgetvalue(r, 0, 0)) : -1;
    PQclear(r);
    return live > 0 ? live : -1;
}

/* Which partitions this session really holds: a reconnect silently drops session locks. */
static bool refresh_owned(event_consumer_t *self)
{
    const char *params[] = {self->group};
    PGresult *r = query(self, "SELECT objid::int FROM pg_locks WHERE locktype = 'advisory' AND granted "
                              "AND pid = pg_backend_pid() AND objsubid = 2 "
                              "AND classid = (hashtext($1)::bigint & 4294967295)::oid", 1, params);
    if (!r)
        return false;
    memset(self->owned, 0, (size_t) self->config.partitions * sizeof *self->owned);
    self->owned_count = 0;
    for (int i = 0; i < PQntuples(r); i++) {
        int p = atoi(PQgetvalue(r, i, 0));
        if (p >= 0 && p < self->config.partitions && !self->owned[p]) {
            self->owned[p] = true;
            self->owned_count++;
        }
    }
    PQclear(r);
    return true;
}

static bool lock_partition(event_consumer_t *self, int p, bool take)
{
    char partition[16];
    partition_text(p, partition);
    const char *params[] = {self->group, partition};
    PGresult *r = query(self, take ? "SELECT pg_try_advisory_lock(hashtext($1), $2::int)"
                                   : "SELECT pg_advisory_unlock(hashtext($1), $2::int)", 2, params);
    bool ok = r && PQgetvalue(r, 0, 0)[0] == 't';
    PQclear(r);
    return ok;
}

/* Keeps this member at its fair share: gives back extras, claims free partitions. */
static void rebalance(event_consumer_t *self, int live)
{
    int share = (self->config.partitions + live - 1) / live;
    for (int p = self->config.partitions - 1; p >= 0 && self->owned_count > share; p--)
        if (self->owned[p] && lock_partition(self, p, false)) {
            self->owned[p] = false;
            self->owned_count--;
        }
    for (int p = 0; p < self->config.partitions && self->owned_count < share; p++)
        if (!self->owned[p] && lock_partition(self, p, true)) {
            self->owned[p] = true;
            self->owned_count++;
        }
}

/* Positions of the owned partitions (created at 0 the first time) and the cursor they imply. */
static bool load_positions(event_consumer_t *self)
{
    char owned[4096];
    const char *params[] = {self->group, owned};
    if (owned_array(self, INT64_MAX, owned, sizeof owned)
        && !run_sql(self, "INSERT INTO consumer_positions (group_name, partition) SELECT $1, unnest($2::int[]) "
                          "ON CONFLICT DO NOTHING", 2, params))
        return false;
    PGresult *r = query(self, "SELECT partition, seq FROM consumer_positions WHERE group_name = $1", 1, params);
    if (!r)
        return false;
    int64_t lowest = -1;
    for (int i = 0; i < PQntuples(r); i++) {
        int p = atoi(PQgetvalue(r, i, 0));
        if (p < 0 || p >= self->config.partitions || !self->owned[p])
            continue;
        self->positions[p] = strtoll(PQgetvalue(r, i, 1), NULL, 10);
        if (lowest < 0 || self->positions[p] < lowest)
            lowest = self->positions[p];
    }
    PQclear(r);
    if (lowest >= 0 && lowest + 1 != self->cursor) {
        /* a rewind offers the events that failed again */
        memset(self->stalled, 0, (size_t) self->config.partitions * sizeof *self->stalled);
        self->cursor = lowest + 1;
        if (self->reader)
            stream_reader_seek(self->reader, self->cursor);
    }
    return true;
}

static void tick(event_consumer_t *self)
{
    self->next_tick = zclock_mono() + TICK_MS;
    int live = live_members(self);
    if (live < 0 || !refresh_owned(self))
        return;
    rebalance(self, live);
    load_positions(self);
    metrics_gauge_set(self->owned_gauge, self->owned_count);
}

/* An event this member must work on: its partition is held, not stalled on a failing event, and
 * not past it, and its type is the group's. */
static bool is_ours(const event_consumer_t *self, const event_t *event, int p)
{
    return self->owned[p] && !self->stalled[p] && event->seq > self->positions[p]
           && strncmp(event->type, self->prefix, strlen(self->prefix)) == 0;
}

typedef struct {
    event_consumer_t *self;
    const event_t *events;
    size_t count;
    int handled;
    event_t *todo;          /* room for count: the events the handler sees */
} run_tx_t;

/* The partitions of a run's events that are ours, as an SQL array literal; false for none.
 * Marks them in self->touched. */
static bool touched_array(event_consumer_t *self, const event_t *events, size_t count, char *out, size_t cap)
{
    memset(self->touched, 0, (size_t) self->config.partitions * sizeof *self->touched);
    for (size_t i = 0; i < count; i++) {
        int p = partition_of(self, &events[i]);
        if (is_ours(self, &events[i], p))
            self->touched[p] = true;
    }
    size_t n = (size_t) snprintf(out, cap, "{");
    for (int p = 0; p < self->config.partitions && n + 16 < cap; p++)
        if (self->touched[p])
            n += (size_t) snprintf(out + n, cap - n, "%s%d", n > 1 ? "," : "", p);
    snprintf(out + n, cap - n, "}");
    return n > 1;
}

/* Locks the run's position rows and reads them into self->done_to: a row at or past an event
 * means a replay or a takeover already did it. Ordered, so members never deadlock. */
static int lock_positions(event_consumer_t *self, db_t *db, const char *partitions, db_error_t *error)
{
    const char *params[] = {self->group, partitions};
    PGresult *r = db_exec(db, "SELECT partition, seq FROM consumer_positions WHERE group_name = $1 "
                              "AND partition = ANY($2::int[]) ORDER BY partition FOR UPDATE", 2, params, error);
    if (!r)
        return -1;
    for (int p = 0; p < self->config.partitions; p++)
        self->done_to[p] = self->positions[p];
    for (int i = 0; i < PQntuples(r); i++) {
        int p = atoi(PQgetvalue(r, i, 0));
        if (p >= 0 && p < self->config.partitions)
            self->done_to[p] = strtoll(PQgetvalue(r, i, 1), NULL, 10);
    }
    PQclear(r);
    return 0;
}

/* The positions the run reached, in one statement. */
static int store_positions(event_consumer_t *self, db_t *db, db_error_t *error)
{
    char partitions[8192], seqs[16384];
    size_t np = (size_t) snprintf(partitions, sizeof partitions, "{");
    size_t ns = (size_t) snprintf(seqs, sizeof seqs, "{");
    for (int p = 0; p < self->config.partitions && np + 16 < sizeof partitions && ns + 32 < sizeof seqs; p++)
        if (self->touched[p]) {
            np += (size_t) snprintf(partitions + np, sizeof partitions - np, "%s%d", np > 1 ? "," : "", p);
            ns += (size_t) snprintf(seqs + ns, sizeof seqs - ns, "%s%lld", ns > 1 ? "," : "",
                                    (long long) self->done_to[p]);
        }
    snprintf(partitions + np, sizeof partitions - np, "}");
    snprintf(seqs + ns, sizeof seqs - ns, "}");
    const char *params[] = {self->group, partitions, seqs};
    return db_exec_ok(db, "UPDATE consumer_positions c SET seq = v.seq "
                          "FROM unnest($2::int[], $3::bigint[]) AS v(partition, seq) "
                          "WHERE c.group_name = $1 AND c.partition = v.partition AND c.seq < v.seq",
                      3, params, error);
}

/* Whether the handler is to see the event: its partition is in the run, not yet past it (a replay,
 * a takeover), and its type is the group's. */
static bool to_handle(const event_consumer_t *self, const event_t *event)
{
    int p = partition_of(self, event);
    return self->touched[p] && event->seq > self->done_to[p]
           && strncmp(event->type, self->prefix, strlen(self->prefix)) == 0;
}

/* The events the handler will see, in order (shallow copies) into todo; how many. */
static size_t events_to_handle(const event_consumer_t *self, const run_tx_t *run, event_t *todo)
{
    size_t n = 0;
    for (size_t i = 0; i < run->count; i++)
        if (to_handle(self, &run->events[i]))
            todo[n++] = run->events[i];
    return n;
}

/* The handler's work for every event of the run and the partitions' new positions, in one
 * transaction; an event a partition already passed (a replay, a takeover) is skipped under the
 * row locks, and run_start sees only the events the handler will. */
static int run_tx(db_t *db, void *ctx, db_error_t *error)
{
    run_tx_t *run = ctx;
    event_consumer_t *self = run->self;
    char partitions[8192];
    run->handled = 0;
    if (!touched_array(self, run->events, run->count, partitions, sizeof partitions))
        return 0;
    if (lock_positions(self, db, partitions, error) != 0)
        return -1;
    size_t count = events_to_handle(self, run, run->todo);
    /* Statements whose answers the handlers do not read are not waited for one by one: a run of
     * events costs the round trips of the answers read, not one per statement. */
    if ((self->config.run_start && count > 0
         && self->config.run_start(db, run->todo, count, self->config.handler_ctx, error) != 0)
        || db_defer(db, error) != 0)
        return -1;
    for (size_t i = 0; i < count; i++) {
        const event_t *event = &run->todo[i];
        if (self->config.handler(db, event, self->config.handler_ctx, error) != 0)
            return -1;
        self->done_to[partition_of(self, event)] = event->seq;
        run->handled++;
    }
    return store_positions(self, db, error);
}

/* One committed run: positions and cursor follow the database. */
static void run_committed(event_consumer_t *self, const event_t *last, int handled)
{
    for (int p = 0; p < self->config.partitions; p++)
        if (self->touched[p] && self->done_to[p] > self->positions[p])
            self->positions[p] = self->done_to[p];
    self->cursor = last->seq + 1;
    metrics_counter_add(self->handled_total, (uint64_t) handled);
}

/* A run of events in one transaction. When it fails for a reason a new attempt will not cure, it
 * is retried in halves, down to the one failing event: the events before it are done, its
 * partition stalls on it (so that report's later events wait in order) while the other partitions
 * go on, and the event is offered again when the cursor rewinds at the next tick. Adds the events
 * done to *handled; -1 when the database is unreachable (the cursor stays). */
static int handle_run(event_consumer_t *self, const event_t *events, size_t count, int *handled)
{
    char partitions[8192];
    if (!touched_array(self, events, count, partitions, sizeof partitions)) {
        self->cursor = events[count - 1].seq + 1;   /* none of it is ours: no transaction */
        return 0;
    }
    run_tx_t run = {self, events, count, 0, calloc(count, sizeof (event_t))};
    db_error_t error = {"", ""};
    if (!run.todo)
        snprintf(error.message, sizeof error.message, "out of memory");
    int rc = run.todo ? db_transaction(self->db, run_tx, &run, &error) : -1;
    free(run.todo);
    if (rc == 0) {
        run_committed(self, &events[count - 1], run.handled);
        *handled += run.handled;
        return 0;
    }
    /* A stop (SIGTERM) ends the transaction without a try: the events wait for the next start,
     * where stalling their partitions would have logged each as failing. */
    if (db_error_is_retryable(&error) || !db_is_connected(self->db) || zsys_interrupted) {
        logger_warn("consumer %s: events from %lld not handled: %s", self->group, (long long) events[0].seq,
                    error.message);
        return -1;
    }
    if (count > 1) {
        size_t half = count / 2;
        return handle_run(self, events, half, handled) == 0 ? handle_run(self, events + half, count - half, handled)
                                                          : -1;
    }
    int p = partition_of(self, events);
    logger_warn("consumer %s: event %lld not handled, partition %d waits for it: %s %s", self->group,
                (long long) events->seq, p, error.sqlstate, error.message);
    self->stalled[p] = true;
    self->cursor = events->seq + 1;
    return 0;
}

/* The events in runs of at most run_max; the events done, or -1 when a run could not be tried. */
static int handle_events(event_consumer_t *self, const event_t *events, size_t count, int *handled)
{
    for (size_t i = 0; i < count; i += (size_t) self->config.run_max) {
        size_t n = count - i < (size_t) self->config.run_max ? count - i : (size_t) self->config.run_max;
        if (handle_run(self, events + i, n, handled) != 0)
            return -1;
    }
    return 0;
}

/* Nothing of the owned partitions lies before the cursor any more: move them all up to it, but a
 * stalled one, which stays before its failing event. */
static void advance_owned(event_consumer_t *self)
{
    char list[4096], seq[32];
    if (!owned_array(self, self->cursor - 1, list, sizeof list))
        return;
    snprintf(seq, sizeof seq, "%lld", (long long) (self->cursor - 1));
    const char *params[] = {self->group, list, seq};
    if (run_sql(self, "UPDATE consumer_positions SET seq = $3::bigint WHERE group_name = $1 "
                      "AND partition = ANY($2::int[]) AND seq < $3::bigint", 3, params))
        for (int p = 0; p < self->config.partitions; p++)
            if (self->owned[p] && !self->stalled[p] && self->positions[p] < self->cursor - 1)
                self->positions[p] = self->cursor - 1;
}

/* Without a hub: read the log directly, numbering it first where this role may; a service role
 * that may not (numbering is stats's) reads what the sequencer has numbered so far. */
static int from_log(event_consumer_t *self)
{
    db_error_t error;
    event_batch_t batch;
    if ((self->numbers_log && event_log_sequence(self->db, LOG_BATCH, &error) < 0)
        || event_log_read(self->db, self->cursor - 1, "", LOG_BATCH, &batch, &error) != 0)
        return -1;
    int handled = 0;
    handle_events(self, batch.items, batch.count, &handled);
    self->head = batch.head;
    event_batch_clear(&batch);
    if (self->reader)
        stream_reader_seek(self->reader, self->cursor);
    return handled;
}

/* The events that reach the stream within linger_ms of the first (and then whatever arrives within
 * a millisecond of the last), up to run_max, as one run. Returns how many were read. A run's
 * transaction costs about as much for a few events as for dozens (its positions, its commit, each
 * statement's fixed part), so under a steady live flow a short wait makes the runs fewer and the
 * CPU an event smaller; a backlog fills runs at once and never waits. */
static size_t read_run(event_consumer_t *self, int timeout_ms)
{
    if (stream_reader_next(self->reader, timeout_ms, &self->run[0]) <= 0)
        return 0;
    size_t n = 1;
    int64_t until = zclock_mono() + self->config.linger_ms;
    while (n < (size_t) self->config.run_max) {
        int64_t left = until - zclock_mono();
        if (stream_reader_next(self->reader, left > 1 ? (int) left : 1, &self->run[n]) <= 0)
            break;
        n++;
    }
    return n;
}

static int from_stream(event_consumer_t *self, int64_t deadline)
{
    int handled = 0;
    for (int64_t left = deadline - zclock_mono(); left > 0; left = deadline - zclock_mono()) {
        size_t n = read_run(self, (int) left);
        if (n == 0)
            return zsys_interrupted ? -1 : handled;
        int rc = handle_events(self, self->run, n, &handled);
        for (size_t i = 0; i < n; i++)
            event_clear(&self->run[i]);
        if (rc < 0 || stream_reader_position(self->reader) != self->cursor)
            stream_reader_seek(self->reader, self->cursor);
        if (rc < 0)
            return handled;
        if (stream_reader_head(self->reader) > self->head)
            self->head = stream_reader_head(self->reader);
    }
    return handled;
}

/* A backlog leaves the heap large: while a member is behind, the live stream piles up in its SUB
 * socket's queue (up to its high-water mark: tens of MB of messages that ZeroMQ's I/O thread
 * allocated in its own malloc arena) and the log is read in big results; idle_memory gives that
 * back once the member is idle again. */
static void hand_back_memory(event_consumer_t *self, int handled)
{
    self->handled_events += (uint64_t) handled;
    if (!idle_memory_due(self->idle, self->handled_events, zclock_mono()))
        return;
    if (self->config.idle)
        self->config.idle(self->config.handler_ctx);
    idle_memory_give_back();
}

int event_consumer_run_once(event_consumer_t *self, int timeout_ms)
{
    int64_t deadline = zclock_mono() + timeout_ms;
    if (zclock_mono() >= self->next_tick)
        tick(self);
    if (self->owned_count == 0) {
        zclock_sleep(timeout_ms < TICK_MS ? timeout_ms : TICK_MS);
        return zsys_interrupted ? -1 : 0;
    }
    int handled;
    /* Events waiting in the stream's queue are the hub's too: after a pause (a stopped process, a
     * long run) the member reads them rather than the whole backlog from the log. */
    if (self->reader && (stream_reader_hub_alive(self->reader, self->config.hub_silence_ms)
                         || stream_reader_has_waiting(self->reader)))
        handled = from_stream(self, deadline);
    else {
        handled = from_log(self);
        if (self->reader && handled >= 0 && self->cursor > self->head) {
            /* caught up: listen for the hub's return (heartbeats) for the rest of the time */
            int rc = from_stream(self, deadline);
            handled = rc < 0 ? rc : handled + rc;
        } else if (!self->reader && handled == 0) {
            int64_t left = deadline - zclock_mono();
            if (left > 0)
                zclock_sleep(left > 100 ? 100 : (int) left);  /* idle without a hub: poll gently */
        }
    }
    advance_owned(self);
    int64_t lag = self->head - (self->cursor - 1);
    metrics_gauge_set(self->lag_gauge, (double) (lag > 0 ? lag : 0));
    if (zsys_interrupted)
        return -1;
    hand_back_memory(self, handled < 0 ? 0 : handled);
    return handled < 0 ? 0 : handled;
}

static void *consume_until_interrupted(void *arg)
{
    event_consumer_t *self = arg;
    while (!zsys_interrupted && event_consumer_run_once(self, 200) >= 0)
        ;
    return NULL;
}

int event_consumer_start_thread(event_consumer_t *self, pthread_t *thread)
{
    return pthread_create(thread, NULL, consume_until_interrupted, self) == 0 ? 0 : -1;
}

static bool copy_config(event_consumer_t *self, const event_consumer_config_t *config)
{
    self->config = *config;
    if (self->config.partitions < 1)
        self->config.partitions = 1;
    if (self->config.hub_silence_ms <= 0)
        self->config.hub_silence_ms = 3000;
    if (self->config.run_max <= 0)
        self->config.run_max = RUN_DEFAULT;
    self->group = strdup(config->group);
    self->prefix = strdup(config->topic_prefix ? config->topic_prefix : "");
    self->owned = calloc((size_t) self->config.partitions, sizeof *self->owned);
    self->positions = calloc((size_t) self->config.partitions, sizeof *self->positions);
    self->stalled = calloc((size_t) self->config.partitions, sizeof *self->stalled);
    self->touched = calloc((size_t) self->config.partitions, sizeof *self->touched);
    self->done_to = calloc((size_t) self->config.partitions, sizeof *self->done_to);
    self->run = calloc((size_t) self->config.run_max, sizeof *self->run);
    return self->group && self->prefix && self->owned && self->positions && self->stalled && self->touched
           && self->done_to && self->run;
}

static void register_metrics(event_consumer_t *self)
{
    char labels[128];
    snprintf(labels, sizeof labels, "group=\"%s\"", self->group);
    self->handled_total = metrics_counter("aduan_consumer_events_total", "Events whose work was done", labels);
    self->lag_gauge = metrics_gauge("aduan_consumer_lag_events", "Events between the log head and this member", labels);
    self->owned_gauge = metrics_gauge("aduan_consumer_partitions_owned", "Partitions this member holds", labels);
}

event_consumer_t *event_consumer_new(const event_consumer_config_t *config, char *reason, size_t cap)
{
    event_consumer_t *self = calloc(1, sizeof *self);
    if (!self || !copy_config(self, config) || !(self->idle = idle_memory_new(TRIM_IDLE_MS, TRIM_AFTER))) {
        snprintf(reason, cap, "out of memory");
        event_consumer_destroy(&self);
        return NULL;
    }
    char host[64] = "host", suffix[ENVELOPE_ID_MAX + 1];
    gethostname(host, sizeof host - 1);
    envelope_random_id(suffix);
    snprintf(self->member_id, sizeof self->member_id, "%s-%d-%.8s", host, (int) getpid(), suffix);
    self->cursor = 1;
    db_error_t error;
    self->db = db_new(config->db_url);
    if (self->db)
        db_prepare_statements(self->db);   /* the handlers repeat the same statements for every event */
    if (!self->db || db_connect(self->db, 30000, &error) != 0) {
        snprintf(reason, cap, "database: %s", self->db ? error.message : "out of memory");
        event_consumer_destroy(&self);
        return NULL;
    }
    PGresult *r = db_exec(self->db, "SELECT has_table_privilege('event_counter', 'UPDATE')", 0, NULL, &error);
    if (!r) {
        snprintf(reason, cap, "database: %s", error.message);
        event_consumer_destroy(&self);
        return NULL;
    }
    self->numbers_log = strcmp(PQgetvalue(r, 0, 0), "t") == 0;
    PQclear(r);
    if (config->stream_endpoints && *config->stream_endpoints) {
        stream_reader_config_t rc = {config->stream_endpoints, config->replay_endpoints, 1, "", 500, config->keys};
        if (!(self->reader = stream_reader_new(&rc, reason, cap))) {
            event_consumer_destroy(&self);
            return NULL;
        }
    }
    register_metrics(self);
    return self;
}

void event_consumer_destroy(event_consumer_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    event_consumer_t *self = *self_p;
    if (self->db && self->group) {
        /* leave the group at once, so the others take over without waiting for expiry */
        const char *params[] = {self->group, self->member_id};
        run_sql(self, "DELETE FROM consumer_members WHERE group_name = $1 AND member_id = $2", 2, params);
    }
    stream_reader_destroy(&self->reader);
    db_destroy(&self->db);
    idle_memory_destroy(&self->idle);
    free(self->group);
    free(self->prefix);
    free(self->owned);
    free(self->positions);
    free(self->stalled);
    free(self->touched);
    free(self->done_to);
    free(self->run);
    free(self);
    *self_p = NULL;
}

int event_consumer_partitions_owned(const event_consumer_t *self)
{
    return self->owned_count;
}

int64_t event_consumer_lag(const event_consumer_t *self)
{
    int64_t lag = self->head - (self->cursor - 1);
    return lag > 0 ? lag : 0;
}

const config_option_t event_consumer_options[] = {
    {"ADUAN_STREAM_ENDPOINTS", "tcp://127.0.0.1:7110", "event hub PUB endpoints, comma-separated (empty: read the log only)"},
    {"ADUAN_REPLAY_ENDPOINTS", "tcp://127.0.0.1:7111", "event hub replay endpoints, comma-separated"},
    {"ADUAN_CONSUMER_PARTITIONS", "8", "partitions of the consumer group (the same for every replica)"},
    {"ADUAN_CONSUMER_RUN", "1000", "most events handled in one transaction"},
    {"ADUAN_CONSUMER_LINGER_MS", "20", "how long a run waits after its first live event for more to handle with it"},
};
const size_t event_consumer_options_count = sizeof event_consumer_options / sizeof event_consumer_options[0];

int event_consumer_configure(const config_t *config, event_consumer_config_t *out, char *reason, size_t reason_cap)
{
    long partitions = 8, run_max = RUN_DEFAULT, linger_ms = 20;
    if (config_get_long(config, "ADUAN_CONSUMER_PARTITIONS", 1, 1024, &partitions, reason, reason_cap) != 0
        || config_get_long(config, "ADUAN_CONSUMER_RUN", 1, 10000, &run_max, reason, reason_cap) != 0
        || config_get_long(config, "ADUAN_CONSUMER_LINGER_MS", 0, 1000, &linger_ms, reason, reason_cap) != 0)
        return -1;
    out->db_url = config_get(config, "ADUAN_DB_URL");
    out->stream_endpoints = config_get(config, "ADUAN_STREAM_ENDPOINTS");
    out->replay_endpoints = config_get(config, "ADUAN_REPLAY_ENDPOINTS");
    out->partitions = (int) partitions;
    out->run_max = (int) run_max;
    out->linger_ms = (int) linger_ms;
    return 0;
}

size_t event_consumer_service_options(const config_option_t *own, size_t own_count, config_option_t *out, size_t cap)
{
    size_t n = 0;
    for (size_t i = 0; i < own_count && n < cap; i++)
        out[n++] = own[i];
    for (size_t i = 0; i < event_consumer_options_count && n < cap; i++)
        out[n++] = event_consumer_options[i];
    return n;
}
