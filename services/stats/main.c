/* aduan-stats, first job: the event stream hub (live PUB + replay). */
#include <czmq.h>
#include <stdio.h>

#include "cmd_server.h"
#include "event_codec.h"
#include "logger.h"
#include "service.h"
#include "stream_hub.h"

static const config_option_t stats_options[] = {
    {"ADUAN_ADMIN_ADDR", "127.0.0.1:9186", "host:port of /healthz, /readyz and /metrics"},
    {"ADUAN_STREAM_BIND", "tcp://127.0.0.1:7110", "PUB endpoint of the live event stream"},
    {"ADUAN_REPLAY_BIND", "tcp://127.0.0.1:7111", "command endpoint answering stream.replay"},
    {"ADUAN_HEARTBEAT_MS", "1000", "heartbeat interval of the stream while idle"},
};

/* Without a notification the log is still polled this often: NOTIFY is only a wake-up. */
#define POLL_MS 250

static void serve(service_t *service, stream_hub_t *hub, cmd_server_t *replay)
{
    int64_t next_poll = 0;
    while (!service_interrupted()) {
        int fd = stream_hub_listen(hub);
        zmq_pollitem_t items[2] = {{zsock_resolve(cmd_server_socket(replay)), 0, ZMQ_POLLIN, 0},
                                   {NULL, fd, ZMQ_POLLIN, 0}};
        admin_http_set_ready(service_admin(service), fd >= 0, fd >= 0 ? NULL : "database not reachable");
        if (zmq_poll(items, fd >= 0 ? 2 : 1, 100) < 0)
            break;
        if (items[0].revents & ZMQ_POLLIN)
            cmd_server_handle_one(replay);
        bool woken = fd >= 0 && (items[1].revents & ZMQ_POLLIN);
        if (woken)
            stream_hub_consume_notifications(hub);
        if (woken || zclock_mono() >= next_poll) {
            stream_hub_catch_up(hub);
            next_poll = zclock_mono() + POLL_MS;
        }
        stream_hub_heartbeat(hub);
    }
}

int main(int argc, char **argv)
{
    int exit_code = 0;
    service_t *service = service_start("stats", "the event stream hub", stats_options,
                                       sizeof stats_options / sizeof stats_options[0], argc, argv, &exit_code);
    if (!service)
        return exit_code;
    const config_t *config = service_config(service);
    char reason[256];
    long heartbeat_ms = 1000;
    db_t *db = NULL;
    stream_hub_t *hub = NULL;
    cmd_server_t *replay = NULL;
    if (config_get_long(config, "ADUAN_HEARTBEAT_MS", 10, 60000, &heartbeat_ms, reason, sizeof reason) != 0) {
        logger_error("%s", reason);
        exit_code = 2;
    } else if (!(db = service_open_db(service, false)))
        exit_code = 1;
    else if (!(hub = stream_hub_new(db, config_get(config, "ADUAN_STREAM_BIND"), (int) heartbeat_ms, reason, sizeof reason))
             || !(replay = cmd_server_new(config_get(config, "ADUAN_REPLAY_BIND"), reason, sizeof reason))
             || cmd_server_on(replay, MSG_STREAM_REPLAY, stream_hub_replay, hub) != 0) {
        logger_error("%s", reason);
        exit_code = 1;
    } else {
        logger_info("stream on %s, replay on %s", config_get(config, "ADUAN_STREAM_BIND"),
                    config_get(config, "ADUAN_REPLAY_BIND"));
        serve(service, hub, replay);
        logger_info("stopping at seq %lld", (long long) stream_hub_published(hub));
    }
    cmd_server_destroy(&replay);
    stream_hub_destroy(&hub);
    db_destroy(&db);
    service_stop(&service);
    return exit_code;
}
