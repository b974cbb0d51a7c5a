/* aduan-intake: submission, what a reporter does later (reply, add data) and the public tracking
 * view, behind a ZeroMQ command server. */
#include <czmq.h>
#include <stdio.h>

#include "category_commands.h"
#include "cmd_server.h"
#include "secret_setting.h"
#include "image_reencode.h"
#include "intake_commands.h"
#include "lifecycle_commands.h"
#include "open311_commands.h"
#include "public_list.h"
#include "reporter_sign_in_commands.h"
#include "desk_filter_commands.h"
#include "support_commands.h"
#include "logger.h"
#include "service.h"
#include "service_db.h"
#include "submission_keys.h"

static const config_option_t intake_options[] = {
    {"ADUAN_ADMIN_ADDR", "127.0.0.1:9181", "host:port of /healthz, /readyz and /metrics"},
    {"ADUAN_INTAKE_BIND", "tcp://127.0.0.1:7101", "command endpoint(s) to bind, comma-separated"},
    {"ADUAN_DB_SEED", "true", "load the seed data (regions, institutions, categories, holidays) at start-up"},
    {"ADUAN_INTAKE_BATCH", "128", "most submissions waiting together that are stored in one transaction"},
    {"ADUAN_INTAKE_LINGER_MS", "0", "under a flow of submissions, how long a batch waits for more before it is stored (0: never)"},
    {"ADUAN_IDEMPOTENCY_TTL_HOURS", "24", "how long the first answer to an idempotency key is kept"},
    {"ADUAN_IDEMPOTENCY_SECRET", "", "required: 64 hex digits, or a file holding them, shared by every replica; "
                                     "keys the hashes and seals of idempotency records"},
};

#define PURGE_INTERVAL_MS (60 * 1000)

typedef struct {
    service_t *service;
    intake_t intake;
    lifecycle_commands_t lifecycle;
    curve_keys_t *keys;
    cmd_server_t *server;
    long ttl_hours;
    long batch;
    long linger_ms;
    int64_t next_purge;
} intake_main_t;

/* Work on the 1 s tick: readiness follows the database, old idempotency records go. */
static void tick(intake_main_t *m)
{
    db_error_t error = {"", ""};
    PGresult *ping = db_exec(m->intake.db, "SELECT 1", 0, NULL, &error);
    PQclear(ping);
    admin_http_set_ready(service_admin(m->service), ping != NULL, ping ? NULL : "database not reachable");
    if (!ping || zclock_mono() < m->next_purge)
        return;
    m->next_purge = zclock_mono() + PURGE_INTERVAL_MS;
    long removed = submission_keys_purge(m->intake.db, m->ttl_hours, &error);
    if (removed > 0)
        logger_info("purged %ld idempotency records older than %ld h", removed, m->ttl_hours);
}

static int serve(intake_main_t *m)
{
    zpoller_t *poller = zpoller_new(cmd_server_socket(m->server), NULL);
    if (!poller)
        return 1;
    int64_t next_tick = 0;
    while (!service_interrupted()) {
        if (zclock_mono() >= next_tick) {
            tick(m);
            next_tick = zclock_mono() + 1000;
        }
        if (zpoller_wait(poller, 200) && cmd_server_handle_waiting(m->server, (size_t) m->batch) != 0)
            break;
        if (zpoller_terminated(poller))
            break;
    }
    zpoller_destroy(&poller);
    return 0;
}

static int configure(intake_main_t *m, bool *seed)
{
    char reason[200];
    const config_t *config = service_config(m->service);
    if (config_get_bool(config, "ADUAN_DB_SEED", seed, reason, sizeof reason) != 0
        || config_get_long(config, "ADUAN_IDEMPOTENCY_TTL_HOURS", 1, 24 * 365, &m->ttl_hours, reason, sizeof reason) != 0
        || config_get_long(config, "ADUAN_INTAKE_BATCH", 1, 1024, &m->batch, reason, sizeof reason) != 0
        || config_get_long(config, "ADUAN_INTAKE_LINGER_MS", 0, 100, &m->linger_ms, reason, sizeof reason) != 0
        || config_get_long(config, "ADUAN_STATEMENT_TIMEOUT_MS", 0, 3600000, &m->lifecycle.statement_timeout_ms, reason,
                           sizeof reason) != 0
        || curve_keys_from_config(config, &m->keys, reason, sizeof reason) != 0) {
        logger_error("%s", reason);
        return -1;
    }
    if (secret_setting_read(config_get(config, "ADUAN_IDEMPOTENCY_SECRET"), m->intake.idempotency_secret, reason,
                            sizeof reason) != 0) {
        logger_error("ADUAN_IDEMPOTENCY_SECRET: %s", reason);
        return -1;
    }
    return 0;
}

int main(int argc, char **argv)
{
    int exit_code = 0;
    intake_main_t m = {.lifecycle.service = "intake"};
    m.service = service_start("intake", "submission, idempotency and the public tracking view",
                              intake_options, sizeof intake_options / sizeof intake_options[0], argc, argv, &exit_code);
    if (!m.service)
        return exit_code;
    bool seed = true;
    char reason[200];
    if (configure(&m, &seed) != 0)
        exit_code = 2;
    else if (!(m.intake.db = m.lifecycle.db = service_db_open(m.service, seed))
             || !(m.intake.submissions = service_db_open(m.service, false)))
        exit_code = 1;
    else if (!(m.server = cmd_server_new(config_get(service_config(m.service), "ADUAN_INTAKE_BIND"), m.keys, reason,
                                            sizeof reason))) {
        logger_error("%s", reason);
        exit_code = 1;
    } else if (intake_commands_register(m.server, &m.intake) != 0 || open311_commands_register(m.server, &m.intake) != 0
               || public_list_register(m.server, &m.intake) != 0 || support_commands_register(m.server, &m.intake) != 0
               || reporter_sign_in_register(m.server, &m.intake) != 0
               || desk_filter_commands_register(m.server, &m.intake) != 0
               || lifecycle_commands_register(m.server, &m.lifecycle) != 0
               || category_commands_register(m.server, m.intake.db) != 0
               || cmd_server_set_linger(m.server, MSG_REPORT_SUBMIT, (int) m.linger_ms) != 0)
        exit_code = 1;
    else {
        logger_info("serving commands on %s", config_get(service_config(m.service), "ADUAN_INTAKE_BIND"));
        exit_code = serve(&m);
        logger_info("stopping");
    }
    cmd_server_destroy(&m.server);
    image_reencode_stop();
    curve_keys_destroy(&m.keys);
    db_destroy(&m.intake.submissions);
    db_destroy(&m.intake.db);
    service_stop(&m.service);
    return exit_code;
}
