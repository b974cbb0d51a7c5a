/* A consumer group member for the fault tests: every event it handles becomes one row in
 * probe_work, written in the same transaction that advances the group's position. The tests kill
 * it with SIGKILL at random moments and then count rows: exactly one per event, or the library
 * lost or repeated work. The table has no unique constraint on purpose, so a repeat would show as
 * a second row instead of being hidden by a failed insert. */
#include <czmq.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "event_consumer.h"
#include "logger.h"
#include "service.h"
#include "service_db.h"

static const config_option_t probe_options[] = {
    {"ADUAN_ADMIN_ADDR", "127.0.0.1:0", "host:port of /healthz, /readyz, /metrics"},
    {"ADUAN_STREAM_ENDPOINTS", "", "hub PUB endpoints, comma-separated (empty: read the log only)"},
    {"ADUAN_REPLAY_ENDPOINTS", "", "hub replay endpoints, comma-separated"},
    {"PROBE_GROUP", "probe", "consumer group name"},
    {"PROBE_PARTITIONS", "8", "partitions of the group"},
    {"PROBE_MEMBER", "", "name recorded with each row"},
};

typedef struct {
    const char *member;
} probe_t;

static int record_work(db_t *db, const event_t *event, void *ctx, db_error_t *error)
{
    const probe_t *probe = ctx;
    char seq[32];
    snprintf(seq, sizeof seq, "%lld", (long long) event->seq);
    const char *params[] = {event->id, seq, probe->member};
    PGresult *result = db_exec(db, "INSERT INTO probe_work (event_id, seq, member) VALUES ($1, $2, $3)",
                               3, params, error);
    if (!result)
        return -1;
    PQclear(result);
    return 0;
}

static int create_work_table(service_t *service)
{
    db_t *db = service_db_open(service, false);
    if (!db)
        return -1;
    db_error_t error;
    PGresult *result = db_exec(db,
        "CREATE TABLE IF NOT EXISTS probe_work (event_id text NOT NULL, seq bigint NOT NULL, "
        "member text NOT NULL, at timestamptz NOT NULL DEFAULT clock_timestamp())", 0, NULL, &error);
    db_destroy(&db);
    if (!result) {
        logger_error("cannot create probe_work: %s", error.message);
        return -1;
    }
    PQclear(result);
    return 0;
}

int main(int argc, char **argv)
{
    int exit_code = 0;
    service_t *service = service_start("probe", "consumer group member for fault tests",
                                       probe_options, sizeof probe_options / sizeof probe_options[0],
                                       argc, argv, &exit_code);
    if (!service)
        return exit_code;
    if (create_work_table(service) != 0) {
        service_stop(&service);
        return 1;
    }
    const config_t *config = service_config(service);
    long partitions = 8;
    char reason[256];
    curve_keys_t *keys = NULL;
    if (config_get_long(config, "PROBE_PARTITIONS", 1, 1024, &partitions, reason, sizeof reason) != 0
        || curve_keys_from_config(config, &keys, reason, sizeof reason) != 0) {
        logger_error("%s", reason);
        service_stop(&service);
        return 2;
    }
    char member[64];
    snprintf(member, sizeof member, "%s", *config_get(config, "PROBE_MEMBER")
             ? config_get(config, "PROBE_MEMBER") : "probe");
    probe_t probe = {member};
    event_consumer_config_t consumer_config = {
        .group = config_get(config, "PROBE_GROUP"),
        .db_url = config_get(config, "ADUAN_DB_URL"),
        .stream_endpoints = config_get(config, "ADUAN_STREAM_ENDPOINTS"),
        .replay_endpoints = config_get(config, "ADUAN_REPLAY_ENDPOINTS"),
        .partitions = (int) partitions,
        .topic_prefix = "",
        .handler = record_work,
        .handler_ctx = &probe,
        .keys = keys,
    };
    event_consumer_t *consumer = event_consumer_new(&consumer_config, reason, sizeof reason);
    if (!consumer) {
        logger_error("consumer: %s", reason);
        curve_keys_destroy(&keys);
        service_stop(&service);
        return 1;
    }
    admin_http_set_ready(service_admin(service), true, NULL);
    while (!service_interrupted() && event_consumer_run_once(consumer, 200) >= 0)
        ;
    event_consumer_destroy(&consumer);
    curve_keys_destroy(&keys);
    service_stop(&service);
    return 0;
}
