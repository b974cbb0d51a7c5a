#include "lifecycle_service.h"

#include <czmq.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "cmd_server.h"
#include "lifecycle_commands.h"
#include "logger.h"
#include "service.h"
#include "service_db.h"

#define LIFECYCLE_MAX_OPTIONS 16

typedef struct {
    const lifecycle_service_t *def;
    service_t *service;
    db_t *db;
    curve_keys_t *keys;
    cmd_server_t *server;
    event_consumer_t *consumer;
    lifecycle_commands_t commands;
} runner_t;

/* The periodic job shares the command connection, so a long job (a backlog of overdue clocks)
 * runs a bounded piece per turn of the loop: staff queries waiting meanwhile are answered between
 * pieces instead of timing out behind the whole job. Returns whether work is left. */
static bool run_periodic(runner_t *r, int64_t *next)
{
    if (!r->def->periodic || zclock_mono() < *next)
        return false;
    *next = zclock_mono() + r->def->every_ms;
    int rc = r->def->periodic(r->db, service_config(r->service));
    if (rc < 0)
        logger_warn("periodic work failed; trying again in %d ms", r->def->every_ms);
    if (rc != 1)
        return false;
    *next = zclock_mono();
    return true;
}

static void loop(runner_t *r)
{
    zpoller_t *poller = zpoller_new(cmd_server_socket(r->server), NULL);
    pthread_t consumer;
    if (!poller || event_consumer_start_thread(r->consumer, &consumer) != 0) {
        logger_error("cannot start the consumer thread");
        zpoller_destroy(&poller);
        return;
    }
    int64_t next_periodic = 0, next_ready = 0;
    bool work_left = false;
    while (!service_interrupted()) {
        if (zpoller_wait(poller, work_left ? 0 : 100) && cmd_server_handle_one(r->server) != 0)
            break;
        if (zpoller_terminated(poller))
            break;
        work_left = run_periodic(r, &next_periodic);
        if (zclock_mono() >= next_ready) {
            db_error_t error = {"", ""};
            PGresult *ping = db_exec(r->db, "SELECT 1", 0, NULL, &error);
            admin_http_set_ready(service_admin(r->service), ping != NULL, ping ? NULL : "database not reachable");
            PQclear(ping);
            next_ready = zclock_mono() + 1000;
        }
    }
    pthread_join(consumer, NULL);
    zpoller_destroy(&poller);
}

static int open_parts(runner_t *r)
{
    const config_t *config = service_config(r->service);
    char reason[256];
    event_consumer_config_t consumer = {.group = r->def->name, .topic_prefix = r->def->topic,
                                        .handler = r->def->handler, .run_start = r->def->run_start,
                                        .handler_ctx = r->def->handler_ctx};
    if (event_consumer_configure(config, &consumer, reason, sizeof reason) != 0
        || curve_keys_from_config(config, &r->keys, reason, sizeof reason) != 0) {
        logger_error("%s", reason);
        return 2;
    }
    consumer.keys = r->keys;
    if (!(r->db = service_db_open(r->service, false)))
        return 1;
    r->commands = (lifecycle_commands_t) {r->db, r->def->name, 0};
    if (config_get_long(config, "ADUAN_STATEMENT_TIMEOUT_MS", 0, 3600000, &r->commands.statement_timeout_ms, reason,
                        sizeof reason) != 0) {
        logger_error("%s", reason);
        return 2;
    }
    const char *bind = config_get(config, r->def->bind_option);
    if (!(r->server = cmd_server_new(bind, r->keys, reason, sizeof reason)) || lifecycle_commands_register(r->server, &r->commands) != 0
        || (r->def->register_commands && r->def->register_commands(r->server, r->db) != 0)) {
        logger_error("command server on %s: %s", bind, reason);
        return 1;
    }
    if (!(r->consumer = event_consumer_new(&consumer, reason, sizeof reason))) {
        logger_error("consumer: %s", reason);
        return 1;
    }
    logger_info("serving commands on %s, consuming %s", bind, r->def->topic);
    return 0;
}

int lifecycle_service_main(const lifecycle_service_t *def, int argc, char **argv)
{
    config_option_t options[LIFECYCLE_MAX_OPTIONS];
    size_t n = event_consumer_service_options(def->options, def->option_count, options, LIFECYCLE_MAX_OPTIONS);
    int exit_code = 0;
    runner_t r = {.def = def};
    if (!(r.service = service_start(def->name, def->summary, options, n, argc, argv, &exit_code)))
        return exit_code;
    if ((exit_code = open_parts(&r)) == 0) {
        loop(&r);
        logger_info("stopping");
    }
    event_consumer_destroy(&r.consumer);
    cmd_server_destroy(&r.server);
    curve_keys_destroy(&r.keys);
    db_destroy(&r.db);
    service_stop(&r.service);
    return exit_code;
}
