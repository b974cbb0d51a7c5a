#ifndef ADUAN_LIFECYCLE_SERVICE_H
#define ADUAN_LIFECYCLE_SERVICE_H

#include <stddef.h>

#include "cmd_server.h"
#include "config.h"
#include "db.h"
#include "event_consumer.h"

/* The process shape aduan-verify and aduan-route share: a command server for report.act and
 * staff.query (lifecycle_commands.h) with an optional periodic job on the main thread, and a
 * consumer group member reacting to one event type on a thread and connection of its own.
 * Options added to the service's own: ADUAN_STREAM_ENDPOINTS, ADUAN_REPLAY_ENDPOINTS,
 * ADUAN_CONSUMER_PARTITIONS; the service's table names its bind option. */
typedef struct {
    const char *name;                 /* "verify" */
    const char *summary;
    const config_option_t *options;   /* the service's own; must include bind_option */
    size_t option_count;
    const char *bind_option;          /* e.g. "ADUAN_VERIFY_BIND" */
    const char *topic;                /* events handled, e.g. "report.submitted" */
    event_handler_fn *handler;        /* runs in the transaction that moves the group's position */
    event_run_fn *run_start;          /* optional: before the handler, once per run (event_consumer.h) */
    event_idle_fn *idle;              /* optional: drops caches before an idle member's trim (event_consumer.h) */
    void *handler_ctx;                /* for the three, used on the consumer's thread only */
    /* Optional periodic work on a thread and a database connection of its own, every `every_ms`;
     * it returns -1 on failure (logged, retried next time), 1 when it stopped with work left (run
     * again at once), 0 when done. */
    int (*periodic)(db_t *db, const config_t *config);
    int every_ms;
    /* Optional: the service's own commands beside report.act and staff.query, served on the
     * command connection (db outlives the server). 0, or -1 when one could not be registered. */
    int (*register_commands)(cmd_server_t *server, db_t *db);
} lifecycle_service_t;

/* Runs until SIGTERM/SIGINT; returns the process exit code. */
int lifecycle_service_main(const lifecycle_service_t *definition, int argc, char **argv);

#endif
