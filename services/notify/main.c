/* aduan-notify: tells people. A consumer group member turns every report event into deliveries
 * (fanout.h) in the transaction that moves its position; the main thread sends what is due
 * (sender.h) and records every attempt, so the delivery log is the proof of who was told what; a
 * third thread answers the gateway's commands on webhooks, the inbox and that log
 * (notify_commands.h), and those of people following a public report (follow_commands.h). */
#include <czmq.h>
#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "command_thread.h"
#include "delivery_store.h"
#include "event_consumer.h"
#include "fanout.h"
#include "secret_setting.h"
#include "logger.h"
#include "metrics.h"
#include "sender.h"
#include "service.h"
#include "service_db.h"

#define MAX_OPTIONS 40
#define DRAIN_MS 5000
#define COMMAND_DB_WAIT_MS 30000
/* The queue depths count every pending delivery: in a backlog of 35 000 that took 74 ms, 13 % of
 * the database's time while the fan-out drained (docs/performance.md), were it counted every
 * second with readiness. */
#define QUEUE_COUNT_MS 15000

static const config_option_t notify_options[] = {
    {"ADUAN_ADMIN_ADDR", "127.0.0.1:9184", "host:port of /healthz, /readyz and /metrics"},
    {"ADUAN_NOTIFY_BIND", "tcp://127.0.0.1:7104", "command endpoint(s) to bind, comma-separated"},
    {"ADUAN_PUBLIC_URL", "http://127.0.0.1:8080", "base URL of links in messages"},
    {"ADUAN_SMTP_URL", "smtp://127.0.0.1:2525", "mail server: smtp://host:port (STARTTLS per ADUAN_SMTP_TLS) or smtps://"},
    {"ADUAN_SMTP_TLS", "off", "STARTTLS on smtp://: off, try or required"},
    {"ADUAN_SMTP_USER", "", "SMTP AUTH user (empty: no AUTH)"},
    {"ADUAN_SMTP_PASSWORD", "", "SMTP AUTH password"},
    {"ADUAN_MAIL_FROM", "noreply@aduan.localhost", "sender address of e-mail"},
    {"ADUAN_MAIL_FROM_NAME", "aduan", "sender name of e-mail"},
    {"ADUAN_SMS_URL", "", "URL of the SMS/WhatsApp provider's webhook (empty: no SMS)"},
    {"ADUAN_SMS_SECRET", "", "secret signing requests to the SMS provider (at least 32 characters)"},
    {"ADUAN_SMTP_TIMEOUT_MS", "30000", "time limit of one e-mail attempt"},
    {"ADUAN_HTTP_TIMEOUT_MS", "10000", "time limit of one webhook or SMS attempt"},
    {"ADUAN_SMTP_CONCURRENCY", "4", "e-mails sent at once"},
    {"ADUAN_HTTP_CONCURRENCY", "16", "webhook and SMS requests at once"},
    {"ADUAN_PER_RECEIVER", "2", "attempts at once to one receiver (webhook, address or phone)"},
    {"ADUAN_DELIVERY_ATTEMPTS", "8", "attempts before a delivery is dead"},
    {"ADUAN_RETRY_BASE_MS", "30000", "wait after the first failed attempt; doubles each time"},
    {"ADUAN_RETRY_CAP_MS", "3600000", "longest wait between attempts"},
    {"ADUAN_DELIVERY_ID_KEY", "", "the secret that keys delivery ids: 64 hex digits, or a file holding them; required"},
    {"ADUAN_WEBHOOK_ALLOW", "", "internal address blocks webhooks may reach anyway, CIDRs comma-separated"},
    {"ADUAN_NOTIFY_SEND", "on", "off: this process only turns events into deliveries, another one sends them"},
};

typedef struct {
    fanout_settings_t fanout;
    sender_settings_t sender;
    unsigned char delivery_id_key[SECRET_SETTING_BYTES];
    address_policy_t webhook_policy;
    bool send;                     /* ADUAN_NOTIFY_SEND */
} notify_settings_t;

static int on_event(db_t *db, const event_t *event, void *ctx, db_error_t *error)
{
    int deliveries = 0;
    if (fanout_event(db, event, ctx, &deliveries, error) != 0)
        return -1;
    if (deliveries > 0)
        logger_info("%s of %s: %d deliveries", event->type, event->tracking_id ? event->tracking_id : "-", deliveries);
    return 0;
}

static int read_numbers(const config_t *config, notify_settings_t *s, char *reason, size_t cap)
{
    struct { const char *name; long min, max; long value; } n[] = {
        {"ADUAN_SMTP_TIMEOUT_MS", 100, 600000, 0}, {"ADUAN_HTTP_TIMEOUT_MS", 100, 600000, 0},
        {"ADUAN_SMTP_CONCURRENCY", 1, 256, 0}, {"ADUAN_HTTP_CONCURRENCY", 1, 1024, 0},
        {"ADUAN_PER_RECEIVER", 1, 64, 0}, {"ADUAN_DELIVERY_ATTEMPTS", 1, 100, 0},
        {"ADUAN_RETRY_BASE_MS", 1, 86400000, 0}, {"ADUAN_RETRY_CAP_MS", 1, 604800000, 0},
    };
    for (size_t i = 0; i < sizeof n / sizeof n[0]; i++)
        if (config_get_long(config, n[i].name, n[i].min, n[i].max, &n[i].value, reason, cap) != 0)
            return -1;
    s->sender.smtp_timeout_ms = (int) n[0].value;
    s->sender.http_timeout_ms = (int) n[1].value;
    s->sender.smtp_concurrency = (int) n[2].value;
    s->sender.http_concurrency = (int) n[3].value;
    s->sender.per_receiver = (int) n[4].value;
    s->fanout.max_attempts = (int) n[5].value;
    s->sender.retry_base_ms = n[6].value;
    s->sender.retry_cap_ms = n[7].value;
    return 0;
}

static int read_settings(const config_t *config, notify_settings_t *s, char *reason, size_t cap)
{
    memset(s, 0, sizeof *s);
    s->sender = (sender_settings_t) {
        .smtp_url = config_get(config, "ADUAN_SMTP_URL"), .smtp_tls = config_get(config, "ADUAN_SMTP_TLS"),
        .smtp_user = config_get(config, "ADUAN_SMTP_USER"), .smtp_password = config_get(config, "ADUAN_SMTP_PASSWORD"),
        .mail_from = config_get(config, "ADUAN_MAIL_FROM"), .mail_from_name = config_get(config, "ADUAN_MAIL_FROM_NAME"),
        .sms_url = config_get(config, "ADUAN_SMS_URL"), .sms_secret = config_get(config, "ADUAN_SMS_SECRET"),
    };
    const char *send = config_get(config, "ADUAN_NOTIFY_SEND");
    if (strcmp(send, "on") != 0 && strcmp(send, "off") != 0) {
        snprintf(reason, cap, "ADUAN_NOTIFY_SEND must be on or off");
        return -1;
    }
    s->send = strcmp(send, "on") == 0;
    const char *tls = s->sender.smtp_tls;
    if (strcmp(tls, "off") != 0 && strcmp(tls, "try") != 0 && strcmp(tls, "required") != 0) {
        snprintf(reason, cap, "ADUAN_SMTP_TLS must be off, try or required");
        return -1;
    }
    s->fanout.public_url = config_get(config, "ADUAN_PUBLIC_URL");
    s->fanout.sms_enabled = s->sender.sms_url[0] != '\0';
    s->fanout.delivery_id_key = s->delivery_id_key;
    s->sender.webhook_policy = &s->webhook_policy;
    char why[200];
    if (secret_setting_read(config_get(config, "ADUAN_DELIVERY_ID_KEY"), s->delivery_id_key, why, sizeof why) != 0) {
        snprintf(reason, cap, "ADUAN_DELIVERY_ID_KEY: %s", why);
        return -1;
    }
    if (address_policy_init(&s->webhook_policy, config_get(config, "ADUAN_WEBHOOK_ALLOW"), reason, cap) != 0)
        return -1;
    return read_numbers(config, s, reason, cap);
}

/* Readiness follows the database. */
static bool check_ready(service_t *service, db_t *db)
{
    db_error_t error = {"", ""};
    PGresult *ping = db_exec(db, "SELECT 1", 0, NULL, &error);
    PQclear(ping);
    admin_http_set_ready(service_admin(service), ping != NULL, ping ? NULL : "database not reachable");
    return ping != NULL;
}

/* The queue depths of /metrics. */
static void count_queues(db_t *db)
{
    db_error_t error = {"", ""};
    int64_t depths[DELIVERY_CHANNELS_SENT];
    if (delivery_store_queue_depths(db, depths, &error) != 0)
        return;
    for (int i = 0; i < DELIVERY_CHANNELS_SENT; i++) {
        char labels[48];
        snprintf(labels, sizeof labels, "channel=\"%s\"", delivery_sent_channels[i]);
        metrics_gauge_set(metrics_gauge("aduan_deliveries_queued", "Deliveries waiting to be sent (pending)", labels),
                          (double) depths[i]);
    }
}

/* Without sending, the thread only reports health: the deliveries wait for a process that sends. */
static void send_until_stopped(service_t *service, db_t *db, sender_t *sender, bool send)
{
    int64_t next_ready = 0, next_count = 0;
    while (!service_interrupted()) {
        if (send)
            sender_run_once(sender, 100, true);
        else
            zclock_sleep(100);
        if (zclock_mono() >= next_ready) {
            bool ready = check_ready(service, db);
            next_ready = zclock_mono() + 1000;
            if (ready && zclock_mono() >= next_count) {
                count_queues(db);
                next_count = zclock_mono() + QUEUE_COUNT_MS;
            }
        }
    }
    /* Finish the attempts in hand (their outcomes recorded) rather than leave them to lease expiry. */
    int64_t deadline = zclock_mono() + DRAIN_MS;
    while (sender_run_once(sender, 100, false) > 0 && zclock_mono() < deadline)
        ;
}

/* The senders on this thread until SIGTERM, the consumer and the command server on their own. */
static int serve(service_t *service, const notify_settings_t *settings, db_t *db, curve_keys_t *keys, sender_t *sender,
                 event_consumer_t *consumer_of_events)
{
    const config_t *config = service_config(service);
    const char *bind = config_get(config, "ADUAN_NOTIFY_BIND");
    char reason[256];
    pthread_t consumer;
    command_thread_t *commands = command_thread_start(bind, keys, config_get(config, "ADUAN_DB_URL"),
                                                      COMMAND_DB_WAIT_MS, &settings->webhook_policy, &settings->fanout,
                                                      reason, sizeof reason);
    if (!commands || event_consumer_start_thread(consumer_of_events, &consumer) != 0) {
        logger_error("cannot start: %s", commands ? "the consumer thread" : reason);
        command_thread_stop(&commands);
        return 1;
    }
    if (!settings->send)
        logger_info("ADUAN_NOTIFY_SEND=off: deliveries are made here and sent by another process");
    logger_info("serving commands on %s; notifying by e-mail through %s%s", bind, settings->sender.smtp_url,
                settings->fanout.sms_enabled ? ", by SMS, by webhooks and in the inbox" : ", by webhooks and in the inbox");
    send_until_stopped(service, db, sender, settings->send);
    pthread_join(consumer, NULL);
    command_thread_stop(&commands);
    return 0;
}

static int run(service_t *service, const notify_settings_t *settings)
{
    const config_t *config = service_config(service);
    char reason[256];
    fanout_settings_t fanout = settings->fanout;   /* the handler's, which it may not change */
    fanout_context_t context = {&fanout, fanout_run_new()};
    event_consumer_config_t cc = {.group = "notify", .topic_prefix = EVENT_REPORT_PREFIX, .handler = on_event,
                                  .run_start = fanout_run_begin, .handler_ctx = &context};
    db_t *db = NULL;
    curve_keys_t *keys = NULL;
    sender_t *sender = NULL;
    event_consumer_t *consumer = NULL;
    int rc = 1;
    if (!context.run || curve_keys_from_config(config, &keys, reason, sizeof reason) != 0) {
        logger_error("cannot start: %s", context.run ? reason : "out of memory");
        fanout_run_destroy(&context.run);
        return 2;
    }
    cc.keys = keys;
    if (event_consumer_configure(config, &cc, reason, sizeof reason) != 0 || !(db = service_db_open(service, false))
        || !(sender = sender_new(&settings->sender, db, reason, sizeof reason))
        || !(consumer = event_consumer_new(&cc, reason, sizeof reason)))
        logger_error("cannot start: %s", db ? reason : "database");
    else {
        db_error_t error;
        if (delivery_store_prepare_senders_connection(db, &error) != 0)
            logger_warn("the senders' statements are planned at every call until the next connection: %s",
                        error.message);
        rc = serve(service, settings, db, keys, sender, consumer);
    }
    event_consumer_destroy(&consumer);
    fanout_run_destroy(&context.run);
    sender_destroy(&sender);
    curve_keys_destroy(&keys);
    db_destroy(&db);
    return rc;
}

int main(int argc, char **argv)
{
    config_option_t options[MAX_OPTIONS];
    size_t n = event_consumer_service_options(notify_options, sizeof notify_options / sizeof notify_options[0],
                                              options, MAX_OPTIONS);
    int exit_code = 0;
    service_t *service = service_start("notify", "e-mail, SMS, webhooks and the staff inbox, with proof of delivery",
                                       options, n, argc, argv, &exit_code);
    if (!service)
        return exit_code;
    notify_settings_t settings;
    char reason[256];
    if (read_settings(service_config(service), &settings, reason, sizeof reason) != 0) {
        logger_error("%s", reason);
        exit_code = 2;
    } else {
        exit_code = run(service, &settings);
    }
    sodium_memzero(&settings.delivery_id_key, sizeof settings.delivery_id_key);
    logger_info("stopping");
    service_stop(&service);
    return exit_code;
}
