#ifndef ADUAN_EVENT_CONSUMER_H
#define ADUAN_EVENT_CONSUMER_H
#include <stdint.h>
#include <pthread.h>

#include "config.h"
#include "curve_keys.h"
#include "db.h"
#include "event_codec.h"

/* A durable, idempotent consumer group member (DESIGN.md properties 3 and 4).
 * - Work is split into a fixed number of partitions (a hash of the report's tracking id modulo
 *   partitions, so every event of one report is handled in order by one member). A member
 *   claims partitions with PostgreSQL session advisory locks on its own connection, keeps at most
 *   its fair share (partitions / live members, from the consumer_members heartbeat table), and
 *   claims the partitions of a member that died (its locks vanish with its session) within seconds.
 * - Each partition's position (last seq done) is in consumer_positions; the handler's work for a
 *   run of events (up to run_max: whatever is waiting, and what the live stream brings within
 *   linger_ms of the run's first event) and the positions it reaches commit in ONE
 *   transaction, so a kill -9 at any instant neither loses nor repeats work. A run that fails is
 *   retried in halves down to the failing event, whose partition then waits for it (offered again
 *   at each tick) while the other partitions go on.
 * - Events come from the hubs (stream_reader: live + replay); when no hub is heard for
 *   hub_silence_ms, the member numbers and reads events straight from the log (event_log) and
 *   rejoins the live stream when the hub returns. */
typedef struct event_consumer_t event_consumer_t;

/* Runs inside the transaction that advances the position, possibly with other events before and
 * after it in the same transaction: a handler never commits, and sees the work of the events before
 * it. 0 goes on; a non-zero return rolls the run back (see above). */
typedef int (event_handler_fn)(db_t *db, const event_t *event, void *ctx, db_error_t *error);
/* Optional, runs in the same transaction before the handler sees any event of the run, with exactly
 * the events the handler will then see, in the same order (not those of other members' partitions
 * nor those already done): reads or does what the whole run needs in one statement instead of one
 * per event. A run's events are in log order, each seq above the one before. Non-zero rolls the
 * run back like a handler's failure. */
typedef int (event_run_fn)(db_t *db, const event_t *events, size_t count, void *ctx, db_error_t *error);
/* Optional, on the member's thread, outside any transaction: the member was idle for a while after
 * a burst and gives the heap's free pages back next. Drops what the handler can make again (a
 * cache): its blocks, made while the burst's memory was in use, are scattered over the grown heap,
 * and each one keeps its page resident. */
typedef void (event_idle_fn)(void *ctx);

typedef struct {
    const char *group;              /* consumer group name, e.g. "verify" */
    const char *db_url;             /* the member opens its own connection */
    const char *stream_endpoints;   /* comma list of hub PUB endpoints ("" = log only) */
    const char *replay_endpoints;   /* comma list of hub replay endpoints */
    int partitions;                 /* fixed for a group, e.g. 8 */
    const char *topic_prefix;       /* events handled ("" = all); others only advance positions */
    event_handler_fn *handler;
    event_run_fn *run_start;        /* optional */
    event_idle_fn *idle;            /* optional */
    void *handler_ctx;              /* for the three */
    int hub_silence_ms;             /* default 3000 when 0 */
    int run_max;                    /* most events per transaction, default 1000 when 0 */
    int linger_ms;                  /* how long a run waits after its first live event for more (0: none) */
    const curve_keys_t *keys;       /* the process's keys (NULL: plain links); they outlive the member */
} event_consumer_config_t;

event_consumer_t *event_consumer_new(const event_consumer_config_t *config, char *reason, size_t reason_cap);
void event_consumer_destroy(event_consumer_t **self_p);

/* Does whatever is due (membership heartbeat, rebalancing, reading and handling events) for up to
 * about timeout_ms. Returns the number of events handled, or -1 when interrupted. */
int event_consumer_run_once(event_consumer_t *self, int timeout_ms);
/* Runs rounds on a thread of its own until SIGINT/SIGTERM: a consumer has its own connection, so
 * a service's commands never wait for a consumer round (the consumer's sockets are used only on
 * that thread between this call and the join). 0 with *thread to pthread_join, -1 if it cannot start. */
int event_consumer_start_thread(event_consumer_t *self, pthread_t *thread);

/* The options every consuming service offers (ADUAN_STREAM_ENDPOINTS, ADUAN_REPLAY_ENDPOINTS,
 * ADUAN_CONSUMER_PARTITIONS), and the part of a member's configuration they set (with
 * ADUAN_DB_URL); the caller adds group, topic, handler and keys. 0, or -1 with the reason. */
extern const config_option_t event_consumer_options[];
extern const size_t event_consumer_options_count;
int event_consumer_configure(const config_t *config, event_consumer_config_t *out, char *reason, size_t reason_cap);
/* A consuming service's option table: its own options, then event_consumer_options, into out
 * (at most cap). Returns the count. */
size_t event_consumer_service_options(const config_option_t *own, size_t own_count, config_option_t *out, size_t cap);

/* For /metrics and tests. */
int event_consumer_partitions_owned(const event_consumer_t *self);
int64_t event_consumer_lag(const event_consumer_t *self);

#endif
