#include "event_consumer.h"

#include <czmq.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "envelope.h"
#include "event_log.h"
#include "logger.h"
#include "metrics.h"
#include "stream_reader.h"

#define TICK_MS 500
#define MEMBER_EXPIRY "5 seconds"
#define LOG_BATCH 500

struct event_consumer_t {
    event_consumer_config_t config;
    char *group, *prefix;
    char member_id[128];
    db_t *db;
    stream_reader_t *reader;
    bool *owned;
    int64_t *positions;         /* last seq done, per partition (meaningful where owned) */
    int owned_count;
    int64_t cursor;             /* next seq to look at */
    int64_t head;
    int64_t next_tick;
    bool numbers_log;           /* this role may number the log (stats, or the owner in a one-URL set-up) */
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
        if (self->owned[p] && self->positions[p] < below)
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

typedef struct {
    event_consumer_t *self;
    const event_t *event;
    int partition;
    bool done_before;
} work_tx_t;

/* The handler's work and the partition's new position, in one transaction; an event the
 * partition already passed (a replay, a takeover) is skipped under the row lock. */
static int work_tx(db_t *db, void *ctx, db_error_t *error)
{
    work_tx_t *w = ctx;
    char partition[16], seq[32];
    partition_text(w->partition, partition);
    snprintf(seq, sizeof seq, "%lld", (long long) w->event->seq);
    const char *params[] = {w->self->group, partition, seq};
    PGresult *r = db_exec(db, "SELECT seq >= $3::bigint FROM consumer_positions WHERE group_name = $1 "
                              "AND partition = $2::int FOR UPDATE", 3, params, error);
    if (!r)
        return -1;
    w->done_before = PQntuples(r) == 1 && PQgetvalue(r, 0, 0)[0] == 't';
    PQclear(r);
    if (w->done_before)
        return 0;
    if (w->self->config.handler(db, w->event, w->self->config.handler_ctx, error) != 0)
        return -1;
    r = db_exec(db, "UPDATE consumer_positions SET seq = $3::bigint WHERE group_name = $1 AND partition = $2::int",
                3, params, error);
    PQclear(r);
    return r ? 0 : -1;
}

/* 1 when the event's work was done now, 0 when it was not ours or done before, -1 on failure
 * (the cursor stays, so the event is offered again). */
static int handle(event_consumer_t *self, const event_t *event)
{
    int p = partition_of(self, event);
    int rc = 0;
    bool ours = self->owned[p] && event->seq > self->positions[p]
                && strncmp(event->type, self->prefix, strlen(self->prefix)) == 0;
    if (ours) {
        work_tx_t w = {self, event, p, false};
        db_error_t error;
        if (db_transaction(self->db, work_tx, &w, &error) != 0) {
            logger_warn("consumer %s: event %lld not handled: %s", self->group, (long long) event->seq, error.message);
            return -1;
        }
        self->positions[p] = event->seq;
        rc = w.done_before ? 0 : 1;
        metrics_counter_add(self->handled_total, (uint64_t) rc);
    }
    self->cursor = event->seq + 1;
    return rc;
}

/* Nothing of the owned partitions lies before the cursor any more: move them all up to it. */
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
            if (self->owned[p] && self->positions[p] < self->cursor - 1)
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
    for (size_t i = 0; i < batch.count; i++) {
        int rc = handle(self, &batch.items[i]);
        if (rc < 0)
            break;
        handled += rc;
    }
    self->head = batch.head;
    event_batch_clear(&batch);
    if (self->reader)
        stream_reader_seek(self->reader, self->cursor);
    return handled;
}

static int from_stream(event_consumer_t *self, int64_t deadline)
{
    int handled = 0;
    for (int64_t left = deadline - zclock_mono(); left > 0; left = deadline - zclock_mono()) {
        event_t event;
        int got = stream_reader_next(self->reader, (int) left, &event);
        if (got <= 0)
            return got < 0 ? -1 : handled;
        int rc = handle(self, &event);
        event_clear(&event);
        if (rc < 0) {
            stream_reader_seek(self->reader, self->cursor);
            return handled;
        }
        handled += rc;
        if (stream_reader_head(self->reader) > self->head)
            self->head = stream_reader_head(self->reader);
    }
    return handled;
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
    if (self->reader && stream_reader_hub_alive(self->reader, self->config.hub_silence_ms))
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
    self->group = strdup(config->group);
    self->prefix = strdup(config->topic_prefix ? config->topic_prefix : "");
    self->owned = calloc((size_t) self->config.partitions, sizeof *self->owned);
    self->positions = calloc((size_t) self->config.partitions, sizeof *self->positions);
    return self->group && self->prefix && self->owned && self->positions;
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
    if (!self || !copy_config(self, config)) {
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
    free(self->group);
    free(self->prefix);
    free(self->owned);
    free(self->positions);
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
};
const size_t event_consumer_options_count = sizeof event_consumer_options / sizeof event_consumer_options[0];

int event_consumer_configure(const config_t *config, event_consumer_config_t *out, char *reason, size_t reason_cap)
{
    long partitions = 8;
    if (config_get_long(config, "ADUAN_CONSUMER_PARTITIONS", 1, 1024, &partitions, reason, reason_cap) != 0)
        return -1;
    out->db_url = config_get(config, "ADUAN_DB_URL");
    out->stream_endpoints = config_get(config, "ADUAN_STREAM_ENDPOINTS");
    out->replay_endpoints = config_get(config, "ADUAN_REPLAY_ENDPOINTS");
    out->partitions = (int) partitions;
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
