#include "lifecycle_service.h"

#include <czmq.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "cmd_server.h"
#include "lifecycle_commands.h"
#include "logger.h"
#include "service.h"
#include "service_db.h"

#define LIFECYCLE_MAX_OPTIONS 16
#define PERIODIC_WAKE_MS 50  /* how soon a waiting periodic thread notices a stop */

typedef struct {
    const lifecycle_service_t *def;
    service_t *service;
    db_t *db;
    curve_keys_t *keys;
    cmd_server_t *server;
    event_consumer_t *consumer;
    lifecycle_commands_t commands;
    db_t *periodic_db;        /* the periodic job's own connection (NULL without one) */
    atomic_bool stopping;     /* tells the periodic thread the loop has ended */
} runner_t;

/* The periodic job on a thread and a connection of its own: a long job (a backlog of overdue
 * clocks) never holds the staff queries and actions this loop answers. Beside them it is as safe
 * as beside another replica doing the same job (the sweep takes its rows with SKIP LOCKED). */
static void *run_periodic(void *arg)
{
    runner_t *r = arg;
    while (!service_interrupted() && !atomic_load(&r->stopping)) {
        int rc = r->def->periodic(r->periodic_db, service_config(r->service));
        if (rc < 0)
            logger_warn("periodic work failed; trying again in %d ms", r->def->every_ms);
        if (rc == 1)
            continue;
        for (int64_t until = zclock_mono() + r->def->every_ms;
             zclock_mono() < until && !service_interrupted() && !atomic_load(&r->stopping);)
            zclock_sleep(PERIODIC_WAKE_MS);
    }
    return NULL;
}

static void loop(runner_t *r)
{
    zpoller_t *poller = zpoller_new(cmd_server_socket(r->server), NULL);
    pthread_t consumer, periodic;
    if (!poller || event_consumer_start_thread(r->consumer, &consumer) != 0) {
        logger_error("cannot start the consumer thread");
        zpoller_destroy(&poller);
        return;
    }
    bool periodic_running = r->def->periodic && pthread_create(&periodic, NULL, run_periodic, r) == 0;
    if (r->def->periodic && !periodic_running)
        logger_error("cannot start the periodic thread: no periodic work until a restart");
    int64_t next_ready = 0;
    while (!service_interrupted()) {
        if (zpoller_wait(poller, 100) && cmd_server_handle_one(r->server) != 0)
            break;
        if (zpoller_terminated(poller))
            break;
        if (zclock_mono() >= next_ready) {
            db_error_t error = {"", ""};
            PGresult *ping = db_exec(r->db, "SELECT 1", 0, NULL, &error);
            admin_http_set_ready(service_admin(r->service), ping != NULL, ping ? NULL : "database not reachable");
            PQclear(ping);
            next_ready = zclock_mono() + 1000;
        }
    }
    atomic_store(&r->stopping, true);
    if (periodic_running)
        pthread_join(periodic, NULL);
    pthread_join(consumer, NULL);
    zpoller_destroy(&poller);
}

static int open_parts(runner_t *r)
{
    const config_t *config = service_config(r->service);
    char reason[256];
    event_consumer_config_t consumer = {.group = r->def->name, .topic_prefix = r->def->topic,
                                        .handler = r->def->handler, .run_start = r->def->run_start,
                                        .idle = r->def->idle, .handler_ctx = r->def->handler_ctx};
    if (event_consumer_configure(config, &consumer, reason, sizeof reason) != 0
        || curve_keys_from_config(config, &r->keys, reason, sizeof reason) != 0) {
        logger_error("%s", reason);
        return 2;
    }
    consumer.keys = r->keys;
    if (!(r->db = service_db_open(r->service, false))
        || (r->def->periodic && !(r->periodic_db = service_db_open(r->service, false))))
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
    db_destroy(&r.periodic_db);
    db_destroy(&r.db);
    service_stop(&r.service);
    return exit_code;
}
