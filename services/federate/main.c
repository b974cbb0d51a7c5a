/* aduan-federate: aduan as an Open311 client (docs/open311.md "Federation"). A consumer group
 * member records, in the transaction that moves its position, every report now held by an upstream
 * institution (one whose row in federation_upstreams names another aduan instance or any Open311
 * server); the main thread forwards what is due (forwarder.h) and polls what was forwarded
 * (mirror.h), so what happens upstream reaches the local tracking page, notifications and
 * statistics as lifecycle steps. */
#include <curl/curl.h>
#include <czmq.h>
#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "event_consumer.h"
#include "forward_store.h"
#include "forwarder.h"
#include "logger.h"
#include "metrics.h"
#include "message_types.h"
#include "mirror.h"
#include "service.h"
#include "service_db.h"

#define MAX_OPTIONS 24
#define ROUND_MAX 20   /* forwards or polls per round, so neither starves the other */

static const config_option_t federate_options[] = {
    {"ADUAN_ADMIN_ADDR", "127.0.0.1:9187", "host:port of /healthz, /readyz and /metrics"},
    {"ADUAN_FEDERATE_ORIGIN", "aduan", "this instance's jurisdiction, named in every forwarded report"},
    {"ADUAN_FEDERATE_KEYS_DIR", "", "folder of the upstreams' api_keys: one file per upstream institution code; required"},
    {"ADUAN_FEDERATE_TIMEOUT_MS", "10000", "time limit of one request to an upstream"},
    {"ADUAN_FEDERATE_RETRY_BASE_MS", "30000", "wait after the first failed forward; doubles each time"},
    {"ADUAN_FEDERATE_RETRY_CAP_MS", "3600000", "longest wait between forwarding attempts"},
    {"ADUAN_FEDERATE_ALERT_AFTER", "5", "failed forwarding attempts before the staff inbox is told"},
    {"ADUAN_FEDERATE_POLL_MS", "60000", "how often each forwarded open report is polled upstream"},
};

static int on_event(db_t *db, const event_t *event, void *ctx, db_error_t *error)
{
    (void) ctx;
    bool handed_on = strcmp(event->type, EVENT_REPORT_DISPATCHED) == 0 || strcmp(event->type, EVENT_REPORT_TRANSFERRED) == 0;
    int created = 0;
    if (!handed_on || !event->tracking_id)
        return 0;
    if (forward_store_enqueue(db, event->tracking_id, &created, error) != 0)
        return -1;
    if (created)
        logger_info("report %s is to be forwarded upstream", event->tracking_id);
    return 0;
}

static int read_settings(const config_t *config, federate_settings_t *s, char *reason, size_t cap)
{
    struct { const char *name; long min, max; long value; } n[] = {
        {"ADUAN_FEDERATE_TIMEOUT_MS", 100, 600000, 0}, {"ADUAN_FEDERATE_RETRY_BASE_MS", 1, 86400000, 0},
        {"ADUAN_FEDERATE_RETRY_CAP_MS", 1, 604800000, 0}, {"ADUAN_FEDERATE_ALERT_AFTER", 1, 1000, 0},
        {"ADUAN_FEDERATE_POLL_MS", 100, 86400000, 0},
    };
    for (size_t i = 0; i < sizeof n / sizeof n[0]; i++)
        if (config_get_long(config, n[i].name, n[i].min, n[i].max, &n[i].value, reason, cap) != 0)
            return -1;
    *s = (federate_settings_t) {
        .origin = config_get(config, "ADUAN_FEDERATE_ORIGIN"), .keys_dir = config_get(config, "ADUAN_FEDERATE_KEYS_DIR"),
        .timeout_ms = n[0].value, .retry_base_ms = n[1].value, .retry_cap_ms = n[2].value,
        .alert_after = (int) n[3].value, .poll_ms = n[4].value,
    };
    if (!s->keys_dir[0]) {
        snprintf(reason, cap, "ADUAN_FEDERATE_KEYS_DIR is required");
        return -1;
    }
    return 0;
}

/* Readiness, and what an operator watches when an upstream stays down. */
static void check_health(service_t *service, db_t *db)
{
    db_error_t error = {"", ""};
    int64_t pending = 0, refused = 0;
    bool reachable = forward_store_counts(db, &pending, &refused, &error) == 0;
    admin_http_set_ready(service_admin(service), reachable, reachable ? NULL : "database not reachable");
    if (!reachable)
        return;
    metrics_gauge_set(metrics_gauge("aduan_federation_pending", "Reports waiting to be forwarded upstream", NULL),
                      (double) pending);
    metrics_gauge_set(metrics_gauge("aduan_federation_refused", "Reports an upstream refused for good", NULL),
                      (double) refused);
}

static void work_until_stopped(service_t *service, db_t *db, const federate_settings_t *settings)
{
    int64_t next_health = 0;
    while (!service_interrupted()) {
        int sent = 0, polled = 0;
        while (sent < ROUND_MAX && !service_interrupted() && forwarder_send_one(db, settings) == 1)
            sent++;
        while (polled < ROUND_MAX && !service_interrupted() && mirror_poll_one(db, settings) == 1)
            polled++;
        if (zclock_mono() >= next_health) {
            check_health(service, db);
            next_health = zclock_mono() + 1000;
        }
        if (sent == 0 && polled == 0)
            zclock_sleep(200);
    }
}

static int run(service_t *service, const federate_settings_t *settings)
{
    const config_t *config = service_config(service);
    char reason[256];
    event_consumer_config_t cc = {.group = "federate", .topic_prefix = EVENT_REPORT_PREFIX, .handler = on_event};
    db_t *db = NULL;
    curve_keys_t *keys = NULL;
    event_consumer_t *consumer = NULL;
    pthread_t thread;
    int rc = 1;
    if (curve_keys_from_config(config, &keys, reason, sizeof reason) != 0) {
        logger_error("cannot start: %s", reason);
        return 2;
    }
    cc.keys = keys;
    if (event_consumer_configure(config, &cc, reason, sizeof reason) != 0 || !(db = service_db_open(service, false))
        || !(consumer = event_consumer_new(&cc, reason, sizeof reason))
        || event_consumer_start_thread(consumer, &thread) != 0) {
        logger_error("cannot start: %s", db ? reason : "database");
    } else {
        logger_info("forwarding to upstream Open311 servers as %s", settings->origin);
        work_until_stopped(service, db, settings);
        pthread_join(thread, NULL);
        rc = 0;
    }
    event_consumer_destroy(&consumer);
    curve_keys_destroy(&keys);
    db_destroy(&db);
    return rc;
}

int main(int argc, char **argv)
{
    config_option_t options[MAX_OPTIONS];
    size_t n = event_consumer_service_options(federate_options, sizeof federate_options / sizeof federate_options[0],
                                              options, MAX_OPTIONS);
    int exit_code = 0;
    service_t *service = service_start("federate", "forwards reports to upstream Open311 servers and mirrors their answers",
                                       options, n, argc, argv, &exit_code);
    if (!service)
        return exit_code;
    federate_settings_t settings;
    char reason[256];
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
        logger_error("libcurl cannot start");
        exit_code = 1;
    } else if (read_settings(service_config(service), &settings, reason, sizeof reason) != 0) {
        logger_error("%s", reason);
        exit_code = 2;
    } else {
        exit_code = run(service, &settings);
    }
    curl_global_cleanup();
    logger_info("stopping");
    service_stop(&service);
    return exit_code;
}
