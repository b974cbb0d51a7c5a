/* aduan-gateway: the HTTP API in front of the command servers. */
#include <czmq.h>
#include <stdio.h>
#include <sys/resource.h>

#include "cmd_client.h"
#include "http_api.h"
#include "idle_memory.h"
#include "live_api.h"
#include "live_feed.h"
#include "tracking_api.h"
#include "command_links.h"
#include "open311_api.h"
#include "password_slots.h"
#include "request_limits.h"
#include "staff_api.h"
#include "console_pages.h"
#include "web_pages.h"
#include "logger.h"
#include "service.h"

static const config_option_t gateway_options[] = {
    {"ADUAN_ADMIN_ADDR", "127.0.0.1:9180", "host:port of /healthz, /readyz and /metrics"},
    {"ADUAN_HTTP_ADDR", "127.0.0.1:8080", "host:port of the public HTTP API"},
    {"ADUAN_HTTP_THREADS", "8", "HTTP worker threads"},
    {"ADUAN_HTTP_CONNECTIONS", "4000", "HTTP connections open at once, in all"},
    {"ADUAN_HTTP_CONNECTIONS_PER_ADDRESS", "32",
     "HTTP connections open at once from one peer address (behind a reverse proxy: raise it, or 0 = no limit)"},
    {"ADUAN_HTTP_IDLE_TIMEOUT_S", "10", "seconds a connection may stay silent (also while sending its request)"},
    {"ADUAN_PASSWORD_CHECKS", "2", "argon2id password checks at once (64 MiB each); more wait 250 ms, then 503"},
    {"ADUAN_RATE_SIGN_IN_PER_MINUTE", "12", "sign-ins per minute, per client address and per username"},
    {"ADUAN_RATE_SIGN_IN_BURST", "24", "sign-ins at once, per client address and per username"},
    {"ADUAN_RATE_SUBMISSION_PER_MINUTE", "30", "report submissions per minute, per client address"},
    {"ADUAN_RATE_SUBMISSION_BURST", "30", "report submissions at once, per client address"},
    {"ADUAN_RATE_REPORTER_PER_MINUTE", "30", "reporter actions and notification settings per minute, per address and per report"},
    {"ADUAN_RATE_REPORTER_BURST", "30", "reporter actions and notification settings at once, per address and per report"},
    {"ADUAN_RATE_SURVEY_PER_MINUTE", "10", "survey answers per minute, per client address and per report"},
    {"ADUAN_RATE_SURVEY_BURST", "20", "survey answers at once, per client address and per report"},
    {"ADUAN_RATE_OPEN311_PER_MINUTE", "120", "Open311 submissions per minute, per client address and per API key"},
    {"ADUAN_RATE_OPEN311_BURST", "60", "Open311 submissions at once, per client address and per API key"},
    {"ADUAN_RATE_SUPPORT_PER_MINUTE", "20", "supports (\"dukung\") per minute, per client address"},
    {"ADUAN_RATE_SUPPORT_BURST", "20", "supports (\"dukung\") at once, per client address"},
    {"ADUAN_RATE_FOLLOW_PER_MINUTE", "5", "follows asked, confirmed or ended per minute, per client address"},
    {"ADUAN_RATE_FOLLOW_BURST", "10", "follows asked, confirmed or ended at once, per client address"},
    {"ADUAN_RATE_REPORTER_CODE_PER_MINUTE", "1",
     "\"my reports\" codes asked and sign-ins tried per minute, per client address and per contact"},
    {"ADUAN_RATE_REPORTER_CODE_BURST", "8", "\"my reports\" codes and sign-ins at once, per address and per contact"},
    {"ADUAN_OPEN311_URL", "", "public base URL of /open311/v2 named by discovery (default: from the Host header)"},
    {"ADUAN_OPEN311_JURISDICTION", "aduan", "the jurisdiction_id Open311 clients may send (any other is 404)"},
    {"ADUAN_OPEN311_CONTACT", "the operator of this aduan instance", "discovery's contact"},
    {"ADUAN_RATE_CLIENTS", "20000", "rate-limit buckets kept; beyond it those least recently used are forgotten"},
    {"ADUAN_TRUSTED_PROXIES", "", "reverse proxies (addresses or CIDRs, comma-separated) whose X-Forwarded-For names the client"},
    {"ADUAN_INTAKE_ENDPOINTS", "tcp://127.0.0.1:7101", "intake replicas' command endpoints, comma-separated"},
    {"ADUAN_VERIFY_ENDPOINTS", "tcp://127.0.0.1:7102", "verify replicas' command endpoints, comma-separated"},
    {"ADUAN_ROUTE_ENDPOINTS", "tcp://127.0.0.1:7103", "route replicas' command endpoints, comma-separated"},
    {"ADUAN_NOTIFY_ENDPOINTS", "tcp://127.0.0.1:7104", "notify replicas' command endpoints, comma-separated"},
    {"ADUAN_STATS_ENDPOINTS", "tcp://127.0.0.1:7105", "stats replicas' query endpoints, comma-separated"},
    {"ADUAN_SESSION_TTL_MINUTES", "480", "how long a staff session lasts"},
    {"ADUAN_SESSION_IDLE_MINUTES", "30", "a staff session unused this long ends"},
    {"ADUAN_STREAM_ENDPOINTS", "tcp://127.0.0.1:7110", "event hub PUB endpoints, comma-separated (empty: no live updates)"},
    {"ADUAN_REPLAY_ENDPOINTS", "tcp://127.0.0.1:7111", "event hub replay endpoints, comma-separated"},
    {"ADUAN_LIVE_BACKLOG", "4096", "events kept for live clients that reconnect (older: they reload)"},
    {"ADUAN_LIVE_HEARTBEAT_S", "15", "seconds between keep-alive comments on a quiet live stream; sessions are checked as often"},
    {"ADUAN_COMMAND_TIMEOUT_MS", "2000", "how long to wait for a command reply before resending"},
    {"ADUAN_MAP_TILE_URL", "https://tile.openstreetmap.org/{z}/{x}/{y}.png",
     "map tiles of the web pages' location picker ({s}, {z}, {x}, {y}); empty = no tiles (the form still works)"},
    {"ADUAN_MAP_ATTRIBUTION", "\u00a9 OpenStreetMap contributors", "attribution shown on the map, as the tile server asks"},
    {"ADUAN_COMMAND_ATTEMPTS", "3", "how many times a command is sent before giving up (503)"},
    {"ADUAN_TRACKING_CACHE_MS", "60000",
     "how long a report's public view is answered from the gateway without asking intake (each event about the "
     "report ends it at once, and every change to the view has one; this is a safety net); 0 = never"},
    {"ADUAN_TRACKING_CACHE_MB", "16", "public views of reports kept in the gateway, in MB at most"},
    {"ADUAN_COMMAND_WINDOW", "256", "commands in flight to one service at most; more wait in the gateway, their time-out not yet running"},
};

typedef struct {
    long timeout_ms, attempts, window, session_ttl, session_idle, statement_timeout_ms, password_checks;
    long live_backlog, live_heartbeat_s;
    long tracking_cache_ms, tracking_cache_mb;
    http_api_limits_t http;
} gateway_settings_t;

static int read_http_limits(const config_t *config, http_api_limits_t *limits, char *reason, size_t cap)
{
    long threads, connections, per_address, idle_s;
    if (config_get_long(config, "ADUAN_HTTP_THREADS", 1, 256, &threads, reason, cap) != 0
        || config_get_long(config, "ADUAN_HTTP_CONNECTIONS", 16, 1000000, &connections, reason, cap) != 0
        || config_get_long(config, "ADUAN_HTTP_CONNECTIONS_PER_ADDRESS", 0, 1000000, &per_address, reason, cap) != 0
        || config_get_long(config, "ADUAN_HTTP_IDLE_TIMEOUT_S", 1, 3600, &idle_s, reason, cap) != 0)
        return -1;
    *limits = (http_api_limits_t) {(unsigned) threads, (unsigned) connections, (unsigned) per_address, (unsigned) idle_s};
    return 0;
}

static int read_settings(const config_t *config, gateway_settings_t *s)
{
    char reason[200];
    if (read_http_limits(config, &s->http, reason, sizeof reason) != 0
        || config_get_long(config, "ADUAN_COMMAND_TIMEOUT_MS", 10, 600000, &s->timeout_ms, reason, sizeof reason) != 0
        || config_get_long(config, "ADUAN_COMMAND_ATTEMPTS", 1, 100, &s->attempts, reason, sizeof reason) != 0
        || config_get_long(config, "ADUAN_COMMAND_WINDOW", 1, 100000, &s->window, reason, sizeof reason) != 0
        || config_get_long(config, "ADUAN_SESSION_TTL_MINUTES", 1, 60 * 24 * 30, &s->session_ttl, reason, sizeof reason) != 0
        || config_get_long(config, "ADUAN_SESSION_IDLE_MINUTES", 1, 60 * 24 * 30, &s->session_idle, reason,
                           sizeof reason) != 0
        || config_get_long(config, "ADUAN_STATEMENT_TIMEOUT_MS", 0, 3600000, &s->statement_timeout_ms, reason,
                           sizeof reason) != 0
        || config_get_long(config, "ADUAN_PASSWORD_CHECKS", 1, 64, &s->password_checks, reason, sizeof reason) != 0
        || config_get_long(config, "ADUAN_LIVE_BACKLOG", 1, 1000000, &s->live_backlog, reason, sizeof reason) != 0
        || config_get_long(config, "ADUAN_LIVE_HEARTBEAT_S", 1, 300, &s->live_heartbeat_s, reason, sizeof reason) != 0
        || config_get_long(config, "ADUAN_TRACKING_CACHE_MS", 0, 3600000, &s->tracking_cache_ms, reason,
                           sizeof reason) != 0
        || config_get_long(config, "ADUAN_TRACKING_CACHE_MB", 1, 4096, &s->tracking_cache_mb, reason, sizeof reason) != 0
        || request_limits_setup(config, reason, sizeof reason) != 0) {
        logger_error("%s", reason);
        return -1;
    }
    return 0;
}

/* Descriptors besides HTTP connections: ZeroMQ sockets and their own, database links, logs. */
#define FILES_BESIDES_CONNECTIONS 256

/* Every open HTTP connection, waiting ones included, is a descriptor; past the open-file limit
 * libmicrohttpd drops new connections with only a log line. So the soft limit is raised to what
 * ADUAN_HTTP_CONNECTIONS needs, as far as the hard limit lets it. */
static void raise_open_files(unsigned connections)
{
    struct rlimit limit;
    rlim_t needed = (rlim_t) connections + FILES_BESIDES_CONNECTIONS;
    if (getrlimit(RLIMIT_NOFILE, &limit) != 0 || limit.rlim_cur >= needed)
        return;
    limit.rlim_cur = limit.rlim_max != RLIM_INFINITY && limit.rlim_max < needed ? limit.rlim_max : needed;
    if (setrlimit(RLIMIT_NOFILE, &limit) != 0 || limit.rlim_cur < needed)
        logger_warn("open files limited to %llu, fewer than ADUAN_HTTP_CONNECTIONS (%u) + %d needs: raise the hard "
                    "limit (ulimit -Hn, LimitNOFILE=)", (unsigned long long) limit.rlim_cur, connections,
                    FILES_BESIDES_CONNECTIONS);
}

/* Pings in a row that must go unanswered before the gateway calls itself not ready: one ping
 * queued behind a burst of submissions is a slow answer, not an outage, and an orchestrator that
 * took the gateway out of service for it would turn a blip into refused requests. */
#define INTAKE_MISSES_BEFORE_UNREADY 3
/* No request ended for this long after some did: the kept views go (nobody is asking for them)
 * and the memory of the burst goes back. */
#define IDLE_TRIM_QUIET_MS 2000

/* Ready while an intake replica answers pings. */
static void check_intake(service_t *service, cmd_client_t *probe, int *misses)
{
    envelope_t *ping = envelope_new(MSG_PING, 1, NULL, NULL);
    char reason[256] = "";
    envelope_t *pong = ping ? cmd_client_call(probe, ping, reason, sizeof reason) : NULL;
    *misses = pong ? 0 : *misses + 1;
    if (pong || *misses >= INTAKE_MISSES_BEFORE_UNREADY)
        admin_http_set_ready(service_admin(service), pong != NULL, pong ? NULL : "intake does not answer");
    envelope_destroy(&pong);
    envelope_destroy(&ping);
}

/* Serves HTTP until SIGTERM with the command links and the intake probe open. */
static int serve(service_t *service, const gateway_settings_t *s, cmd_client_t *probe)
{
    const config_t *config = service_config(service);
    char reason[256];
    http_api_t *api = http_api_new(config_get(config, "ADUAN_HTTP_ADDR"), &s->http, reason, sizeof reason);
    if (!api) {
        logger_error("%s", reason);
        return 1;
    }
    logger_info("HTTP API on port %u, intake at %s", http_api_port(api), config_get(config, "ADUAN_INTAKE_ENDPOINTS"));
    idle_memory_t *idle = idle_memory_new(IDLE_TRIM_QUIET_MS, 1);
    if (!idle)
        logger_warn("out of memory: the heap's freed pages stay with the gateway after a load");
    int misses = INTAKE_MISSES_BEFORE_UNREADY;   /* not ready until intake first answers */
    while (!service_interrupted()) {
        check_intake(service, probe, &misses);
        if (idle && idle_memory_due(idle, http_api_requests_ended(api), zclock_mono())) {
            tracking_api_forget_kept();   /* the views of the burst are what pins most of its pages */
            idle_memory_give_back();
        }
        zclock_sleep(1000);
    }
    idle_memory_destroy(&idle);
    logger_info("stopping: finishing requests in hand");
    http_api_quiesce(api);
    live_feed_close();   /* live streams end, so that no connection stays suspended */
    http_api_destroy(&api);
    return 0;
}

/* The one subscription to the event stream that every live client shares. */
static int start_live(const config_t *config, const gateway_settings_t *s, const curve_keys_t *keys, char *reason,
                      size_t cap)
{
    live_api_setup(s->live_heartbeat_s);
    live_feed_config_t live = {config_get(config, "ADUAN_STREAM_ENDPOINTS"), config_get(config, "ADUAN_REPLAY_ENDPOINTS"),
                               config_get(config, "ADUAN_INTAKE_ENDPOINTS"), keys, (size_t) s->live_backlog,
                               tracking_api_cache()};
    return live_feed_start(&live, reason, cap);
}

static int run(service_t *service, const gateway_settings_t *s)
{
    const config_t *config = service_config(service);
    const char *endpoints = config_get(config, "ADUAN_INTAKE_ENDPOINTS");
    char reason[256] = "";
    curve_keys_t *keys = NULL;
    if (curve_keys_from_config(config, &keys, reason, sizeof reason) != 0) {
        logger_error("%s", reason);
        return 2;
    }
    cmd_client_t *probe = cmd_client_new(endpoints, 1000, 1, keys, command_links_name(PEER_INTAKE), reason,
                                         sizeof reason);
    const char *const peers[PEER_COUNT] = {endpoints, config_get(config, "ADUAN_VERIFY_ENDPOINTS"),
                                           config_get(config, "ADUAN_ROUTE_ENDPOINTS"),
                                           config_get(config, "ADUAN_NOTIFY_ENDPOINTS"),
                                           config_get(config, "ADUAN_STATS_ENDPOINTS")};
    int exit_code = 1;
    if (!probe || command_links_setup(peers, keys, (int) s->timeout_ms, (int) s->attempts, (size_t) s->window, reason,
                                      sizeof reason) != 0
        || staff_api_setup(config_get(config, "ADUAN_DB_URL"), s->session_ttl, s->session_idle,
                           s->statement_timeout_ms) != 0
        || password_slots_setup((unsigned) s->password_checks) != 0
        || tracking_api_setup((size_t) s->tracking_cache_mb << 20, s->tracking_cache_ms, reason, sizeof reason) != 0)
        logger_error("command links: %s", reason);
    else if (web_pages_setup(config_get(config, "ADUAN_MAP_TILE_URL"), config_get(config, "ADUAN_MAP_ATTRIBUTION"),
                             reason, sizeof reason) != 0
             || console_pages_setup(reason, sizeof reason) != 0
             || start_live(config, s, keys, reason, sizeof reason) != 0)
        logger_error("%s", reason);
    else {
        exit_code = serve(service, s, probe);
        live_feed_stop();
        command_links_teardown();
        staff_api_teardown();
        password_slots_teardown();
        tracking_api_teardown();
        web_pages_teardown();
        console_pages_teardown();
    }
    cmd_client_destroy(&probe);
    curve_keys_destroy(&keys);
    return exit_code;
}

int main(int argc, char **argv)
{
    int exit_code = 0;
    service_t *service = service_start("gateway", "the HTTP API of aduan", gateway_options,
                                       sizeof gateway_options / sizeof gateway_options[0], argc, argv, &exit_code);
    if (!service)
        return exit_code;
    gateway_settings_t settings;
    open311_api_setup(service_config(service));
    exit_code = 2;
    if (read_settings(service_config(service), &settings) == 0) {
        raise_open_files(settings.http.connections);
        exit_code = run(service, &settings);
    }
    request_limits_teardown();
    service_stop(&service);
    return exit_code;
}
