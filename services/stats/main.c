/* aduan-stats: the event stream hub (live PUB + replay), and the statistics: a consumer group
 * member counting every report event into stat_reports (stats_facts.h), the query server of the
 * figures and the survey (stats_queries.h), and the business gauges of /metrics. */
#include <czmq.h>
#include <pthread.h>
#include <stdio.h>

#include "cmd_server.h"
#include "event_codec.h"
#include "event_consumer.h"
#include "stats_facts.h"
#include "stats_gauges.h"
#include "stats_queries.h"
#include "logger.h"
#include "service.h"
#include "service_db.h"
#include "stream_hub.h"

#define MAX_OPTIONS 16

static const config_option_t stats_options[] = {
    {"ADUAN_ADMIN_ADDR", "127.0.0.1:9186", "host:port of /healthz, /readyz and /metrics"},
    {"ADUAN_STREAM_BIND", "tcp://127.0.0.1:7110", "PUB endpoint of the live event stream"},
    {"ADUAN_REPLAY_BIND", "tcp://127.0.0.1:7111", "command endpoint answering stream.replay"},
    {"ADUAN_HEARTBEAT_MS", "1000", "heartbeat interval of the stream while idle"},
    {"ADUAN_STATS_QUERY_BIND", "tcp://127.0.0.1:7105", "command endpoint answering stats.query and survey.answer"},
    {"ADUAN_STATS_MAX_AGE", "60", "seconds a kept document is answered after the facts moved (0: never)"},
    {"ADUAN_STATS_WARM_EVERY", "5", "seconds between two recomputations of a kept document (at most ADUAN_STATS_MAX_AGE)"},
};

/* Without a notification the log is still polled this often: NOTIFY is only a wake-up. */
#define POLL_MS 250
#define GAUGES_EVERY_MS 5000

static void *consume(void *arg)
{
    event_consumer_t *consumer = arg;
    while (!service_interrupted() && event_consumer_run_once(consumer, 200) >= 0)
        ;
    return NULL;
}

/* A backlog is published batch by batch, with the replays asked meanwhile answered in between:
 * publishing all of it first left readers that had lost an event (a SUB that reconnected while
 * the hub was busy) without an answer for the whole backlog, asking again every 2 s, and each of
 * those requests cost the hub a read once it got to them. */
static void serve(service_t *service, db_t *db, stream_hub_t *hub, cmd_server_t *replay)
{
    int64_t next_poll = 0, next_gauges = 0;
    /* The last call filled its batch: there may be more at once. After a part batch there is not:
     * calling again numbered nothing, yet wrote the counter and flushed WAL to commit, which was
     * nearly half of the hub's transactions under a flow (submit_bench at 1 150/s, stop 56). */
    bool more = false;
    while (!service_interrupted()) {
        if (zclock_mono() >= next_gauges) {
            db_error_t error;
            if (stats_gauges_update(db, &error) != 0)   /* readiness reports an unreachable database */
                logger_debug("gauges not updated: %s", error.message);
            next_gauges = zclock_mono() + GAUGES_EVERY_MS;
        }
        int fd = stream_hub_listen(hub);
        zmq_pollitem_t items[2] = {{zsock_resolve(cmd_server_socket(replay)), 0, ZMQ_POLLIN, 0},
                                   {NULL, fd, ZMQ_POLLIN, 0}};
        admin_http_set_ready(service_admin(service), fd >= 0, fd >= 0 ? NULL : "database not reachable");
        if (zmq_poll(items, fd >= 0 ? 2 : 1, more ? 0 : 100) < 0)
            break;
        if (items[0].revents & ZMQ_POLLIN)
            cmd_server_handle_one(replay);
        bool woken = fd >= 0 && (items[1].revents & ZMQ_POLLIN);
        if (woken)
            stream_hub_consume_notifications(hub);
        if (more || woken || zclock_mono() >= next_poll) {
            stream_hub_catch_up(hub, &more);
            next_poll = zclock_mono() + POLL_MS;
        }
        stream_hub_heartbeat(hub);
    }
}

/* event_run_fn: a consumer run's events are counted together, in one statement, before the
 * handler sees any of them. */
static int count_run(db_t *db, const event_t *events, size_t count, void *ctx, db_error_t *error)
{
    (void) ctx;
    return stats_facts_count(db, events, count, error);
}

/* event_handler_fn: the event was counted with its run (count_run). */
static int counted_with_its_run(db_t *db, const event_t *event, void *ctx, db_error_t *error)
{
    (void) db, (void) event, (void) ctx, (void) error;
    return 0;
}

/* The counting member, on a thread and connection of its own. */
static int start_counting(const config_t *config, const curve_keys_t *keys, event_consumer_t **consumer,
                          pthread_t *thread, char *reason, size_t cap)
{
    event_consumer_config_t cc = {.group = STATS_GROUP, .topic_prefix = EVENT_REPORT_PREFIX,
                                  .handler = counted_with_its_run, .run_start = count_run, .keys = keys};
    if (event_consumer_configure(config, &cc, reason, cap) != 0 || !(*consumer = event_consumer_new(&cc, reason, cap)))
        return -1;
    if (pthread_create(thread, NULL, consume, *consumer) != 0) {
        snprintf(reason, cap, "cannot start the counting thread");
        event_consumer_destroy(consumer);
        return -1;
    }
    return 0;
}

int main(int argc, char **argv)
{
    config_option_t options[MAX_OPTIONS];
    size_t n = event_consumer_service_options(stats_options, sizeof stats_options / sizeof stats_options[0], options,
                                              MAX_OPTIONS);
    int exit_code = 0;
    service_t *service = service_start("stats", "the event stream hub and the statistics", options, n, argc, argv,
                                       &exit_code);
    if (!service)
        return exit_code;
    const config_t *config = service_config(service);
    char reason[256];
    long heartbeat_ms = 1000, statement_timeout_ms = 0, max_age_s = 60, warm_every_s = 5;
    db_t *db = NULL;
    curve_keys_t *keys = NULL;
    stream_hub_t *hub = NULL;
    cmd_server_t *replay = NULL;
    event_consumer_t *consumer = NULL;
    stats_queries_t *queries = NULL;
    pthread_t counting;
    if (config_get_long(config, "ADUAN_HEARTBEAT_MS", 10, 60000, &heartbeat_ms, reason, sizeof reason) != 0
        || config_get_long(config, "ADUAN_STATEMENT_TIMEOUT_MS", 0, 3600000, &statement_timeout_ms, reason,
                           sizeof reason) != 0
        || config_get_long(config, "ADUAN_STATS_MAX_AGE", 0, 86400, &max_age_s, reason, sizeof reason) != 0
        || config_get_long(config, "ADUAN_STATS_WARM_EVERY", 0, 86400, &warm_every_s, reason, sizeof reason) != 0
        || curve_keys_from_config(config, &keys, reason, sizeof reason) != 0) {
        logger_error("%s", reason);
        exit_code = 2;
    } else if (!(db = service_db_open(service, false)))
        exit_code = 1;
    else if (!(hub = stream_hub_new(db, config_get(config, "ADUAN_STREAM_BIND"), keys, (int) heartbeat_ms, reason,
                                    sizeof reason))
             || !(replay = cmd_server_new(config_get(config, "ADUAN_REPLAY_BIND"), keys, reason, sizeof reason))
             || cmd_server_on(replay, MSG_STREAM_REPLAY, CURVE_ROLE_SERVICE | CURVE_ROLE_ANALYTICS | CURVE_ROLE_GATEWAY,
                              stream_hub_replay,
                              hub) != 0
             || !(queries = stats_queries_start(config_get(config, "ADUAN_STATS_QUERY_BIND"), keys,
                                                config_get(config, "ADUAN_DB_URL"), statement_timeout_ms, max_age_s,
                                                warm_every_s < max_age_s ? warm_every_s : max_age_s,
                                                reason, sizeof reason))
             || start_counting(config, keys, &consumer, &counting, reason, sizeof reason) != 0) {
        logger_error("%s", reason);
        exit_code = 1;
    } else {
        logger_info("stream on %s, replay on %s, queries on %s", config_get(config, "ADUAN_STREAM_BIND"),
                    config_get(config, "ADUAN_REPLAY_BIND"), config_get(config, "ADUAN_STATS_QUERY_BIND"));
        serve(service, db, hub, replay);
        pthread_join(counting, NULL);
        logger_info("stopping at seq %lld", (long long) stream_hub_published(hub));
    }
    event_consumer_destroy(&consumer);
    stats_queries_stop(&queries);
    cmd_server_destroy(&replay);
    stream_hub_destroy(&hub);
    curve_keys_destroy(&keys);
    db_destroy(&db);
    service_stop(&service);
    return exit_code;
}
