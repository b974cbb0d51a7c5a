#include "sender.h"

#include <curl/curl.h>
#include <czmq.h>
#include <errno.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include "claim_due.h"
#include "clock.h"
#include "db_wakeup.h"
#include "delivery_store.h"
#include "logger.h"
#include "mail_message.h"
#include "metrics.h"
#include "retry_backoff.h"
#include "webhook_signature.h"
#include "webhook_store.h"

#define CLAIM_EVERY_MS 200
#define LEASE_MARGIN_MS 10000
#define CONNECT_TIMEOUT_MS 5000

typedef struct transfer_t {
    claimed_delivery_t delivery;
    CURL *easy;
    struct curl_slist *headers, *recipients;
    char *body;
    size_t size, sent;
    bool email, finished;
    bool receiver_gone;                /* the webhook answered 410: switch it off */
    const address_policy_t *policy;    /* webhooks: where the request may connect */
    bool policy_refused;               /* the address connected to was refused by it */
    delivery_outcome_t outcome;
    char detail[CURL_ERROR_SIZE + 64];
    char curl_error[CURL_ERROR_SIZE];
    double started;
    struct transfer_t *next;
} transfer_t;

struct sender_t {
    sender_settings_t s;
    db_t *db;
    CURLM *multi;
    transfer_t *transfers;
    int email_in_flight, http_in_flight;
    int http_turn;                 /* claim_http: which of webhook and SMS is claimed first */
    int64_t next_poll;             /* when every channel is claimed from again */
    claim_rounds_t rounds;         /* which channels to claim from, and when */
    db_wakeup_t wakeup;            /* new deliveries: claim soon rather than at the next poll */
    char from_header[400];
};

static double now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double) ts.tv_sec + (double) ts.tv_nsec / 1e9;
}

sender_t *sender_new(const sender_settings_t *settings, db_t *db, char *reason, size_t reason_cap)
{
    if (settings->sms_url[0] && strlen(settings->sms_secret) < WEBHOOK_SECRET_MIN) {
        snprintf(reason, reason_cap, "the SMS provider secret must have at least %d characters", WEBHOOK_SECRET_MIN);
        return NULL;
    }
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
        snprintf(reason, reason_cap, "libcurl cannot start");
        return NULL;
    }
    sender_t *self = calloc(1, sizeof *self);
    if (!self || !(self->multi = curl_multi_init())) {
        snprintf(reason, reason_cap, "out of memory");
        free(self);
        curl_global_cleanup();
        return NULL;
    }
    self->s = *settings;
    self->db = db;
    self->wakeup = (db_wakeup_t) {db, DELIVERIES_CHANNEL, 0};
    snprintf(self->from_header, sizeof self->from_header, "%s <%s>", settings->mail_from_name, settings->mail_from);
    return self;
}

static void transfer_free(transfer_t *t)
{
    claimed_delivery_clear(&t->delivery);
    curl_easy_cleanup(t->easy);
    curl_slist_free_all(t->headers);
    curl_slist_free_all(t->recipients);
    free(t->body);
    free(t);
}

static size_t read_body(char *buffer, size_t size, size_t count, void *userdata)
{
    transfer_t *t = userdata;
    size_t n = size * count, left = t->size - t->sent;
    if (n > left)
        n = left;
    memcpy(buffer, t->body + t->sent, n);
    t->sent += n;
    return n;
}

static size_t discard_response(char *data, size_t size, size_t count, void *userdata)
{
    (void) data;
    (void) userdata;
    return size * count;
}

static long tls_mode(const char *name)
{
    if (strcmp(name, "required") == 0)
        return (long) CURLUSESSL_ALL;
    return strcmp(name, "try") == 0 ? (long) CURLUSESSL_TRY : (long) CURLUSESSL_NONE;
}

static int setup_email(sender_t *self, transfer_t *t, char *reason, size_t cap)
{
    char message_id[DELIVERY_ID_LEN + 16], address[400];
    snprintf(message_id, sizeof message_id, "%s@aduan", t->delivery.delivery_id);
    mail_message_t m = {self->from_header, t->delivery.recipient, t->delivery.subject, t->delivery.body_text,
                        t->delivery.body_html, message_id, clock_now_ms(), t->delivery.list_unsubscribe};
    if (!(t->body = mail_message_render(&m, &t->size, reason, cap)))
        return -1;
    snprintf(address, sizeof address, "<%s>", t->delivery.recipient);
    if (!(t->recipients = curl_slist_append(NULL, address)))
        return snprintf(reason, cap, "out of memory"), -1;
    snprintf(address, sizeof address, "<%s>", self->s.mail_from);
    CURL *e = t->easy;
    curl_easy_setopt(e, CURLOPT_URL, self->s.smtp_url);
    curl_easy_setopt(e, CURLOPT_MAIL_FROM, address);
    curl_easy_setopt(e, CURLOPT_MAIL_RCPT, t->recipients);
    curl_easy_setopt(e, CURLOPT_UPLOAD, 1L);
    curl_easy_setopt(e, CURLOPT_READFUNCTION, read_body);
    curl_easy_setopt(e, CURLOPT_READDATA, t);
    curl_easy_setopt(e, CURLOPT_USE_SSL, tls_mode(self->s.smtp_tls));
    if (self->s.smtp_user[0]) {
        curl_easy_setopt(e, CURLOPT_USERNAME, self->s.smtp_user);
        curl_easy_setopt(e, CURLOPT_PASSWORD, self->s.smtp_password);
    }
    curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, (long) self->s.smtp_timeout_ms);
    return 0;
}

/* A message that failed may leave its SMTP session mid-dialogue: libcurl 7.88 keeps a session whose
 * answer timed out for the next message, which then reads that late answer as its own and fails
 * (tests/e2e/test_notify.py). Ending the session's socket makes libcurl find it dead and open
 * another; a message that took the session in the meantime fails and is tried again. A delivered
 * message's session is kept: a new session for every message made each e-mail 43 ms slower to
 * deliver (docs/performance.md, "Telling people"). Called before the transfer leaves the multi
 * handle, while libcurl can still name its connection. */
static void end_session_of_failed(CURL *easy)
{
    curl_socket_t s = CURL_SOCKET_BAD;
    if (curl_easy_getinfo(easy, CURLINFO_ACTIVESOCKET, &s) != CURLE_OK || s == CURL_SOCKET_BAD)
        return;
    if (shutdown(s, SHUT_RDWR) != 0)
        logger_debug("ending a failed SMTP session: %s", strerror(errno));
}

/* The connect-time half of the address policy: libcurl hands over the address it resolved just
 * now, so a host that resolves elsewhere than at registration (DNS rebinding) is caught here. */
static curl_socket_t open_checked_socket(void *clientp, curlsocktype purpose, struct curl_sockaddr *address)
{
    transfer_t *t = clientp;
    (void) purpose;
    if (!address_policy_allows(t->policy, &address->addr)) {
        t->policy_refused = true;
        return CURL_SOCKET_BAD;
    }
    return socket(address->family, address->socktype, address->protocol);
}

/* Webhook URLs are chosen by admins, so their requests connect only where the policy allows; the
 * SMS provider's URL is the operator's own setting. */
static void guard_webhook(sender_t *self, transfer_t *t)
{
    if (strcmp(t->delivery.channel, "webhook") != 0)
        return;
    t->policy = self->s.webhook_policy;
    curl_easy_setopt(t->easy, CURLOPT_OPENSOCKETFUNCTION, open_checked_socket);
    curl_easy_setopt(t->easy, CURLOPT_OPENSOCKETDATA, t);
}

static int setup_http(sender_t *self, transfer_t *t, char *reason, size_t cap)
{
    bool sms = strcmp(t->delivery.channel, "sms") == 0;
    const char *url = sms ? self->s.sms_url : t->delivery.url, *secret = sms ? self->s.sms_secret : t->delivery.secret;
    if (!url || !url[0] || !t->delivery.payload)
        return snprintf(reason, cap, "no receiver is configured for %s", t->delivery.channel), -1;
    t->body = strdup(t->delivery.payload);
    t->size = t->body ? strlen(t->body) : 0;
    int64_t timestamp = (int64_t) time(NULL);
    char signature[WEBHOOK_SIGNATURE_SIZE], line[256];
    if (!t->body || webhook_signature(secret, timestamp, t->body, t->size, signature) != 0)
        return snprintf(reason, cap, "cannot sign the request"), -1;
    char stamp[24];
    snprintf(stamp, sizeof stamp, "%lld", (long long) timestamp);
    const char *headers[][2] = {{"Content-Type", "application/json"}, {"User-Agent", "aduan-notify/1"},
                                {WEBHOOK_HEADER_DELIVERY, t->delivery.delivery_id}, {WEBHOOK_HEADER_TIMESTAMP, stamp},
                                {WEBHOOK_HEADER_SIGNATURE, signature}, {WEBHOOK_HEADER_EVENT, t->delivery.event_type}};
    for (size_t i = 0; i < sizeof headers / sizeof headers[0]; i++) {
        snprintf(line, sizeof line, "%s: %s", headers[i][0], headers[i][1]);
        struct curl_slist *grown = curl_slist_append(t->headers, line);
        if (!grown)
            return snprintf(reason, cap, "out of memory"), -1;
        t->headers = grown;
    }
    CURL *e = t->easy;
    curl_easy_setopt(e, CURLOPT_URL, url);
    curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(e, CURLOPT_HTTPHEADER, t->headers);
    curl_easy_setopt(e, CURLOPT_POSTFIELDS, t->body);
    curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE, (long) t->size);
    curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, discard_response);
    curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, (long) self->s.http_timeout_ms);
    guard_webhook(self, t);
    return 0;
}

static void count_outcome(const transfer_t *t, const char *outcome)
{
    char labels[96];
    snprintf(labels, sizeof labels, "channel=\"%s\",outcome=\"%s\"", t->delivery.channel, outcome);
    metrics_counter_add(metrics_counter("aduan_delivery_attempts_total", "Delivery attempts by channel and outcome",
                                        labels), 1);
    snprintf(labels, sizeof labels, "channel=\"%s\"", t->delivery.channel);
    metrics_histogram_observe(metrics_histogram("aduan_delivery_seconds", "Time of one delivery attempt", labels,
                                                metrics_latency_bounds, metrics_latency_bounds_count),
                              now_seconds() - t->started);
}

/* Writes the outcomes of every finished transfer down in one statement; false when the database
 * could not take them (all are tried again next round). */
static bool record_finished(sender_t *self)
{
    size_t count = 0;
    for (const transfer_t *t = self->transfers; t; t = t->next)
        if (t->finished)
            count++;
    if (count == 0)
        return true;
    delivery_finish_t *finished = calloc(count, sizeof *finished);
    db_error_t error = {"", "out of memory"};
    size_t n = 0;
    for (const transfer_t *t = self->transfers; t && finished; t = t->next)
        if (t->finished)
            finished[n++] = (delivery_finish_t) {
                &t->delivery, t->outcome, t->detail,
                retry_backoff_ms(t->delivery.attempt - t->delivery.retry_from, self->s.retry_base_ms,
                                 self->s.retry_cap_ms, randombytes_random())};
    bool recorded = finished && delivery_store_finish(self->db, finished, count, &error) == 0;
    free(finished);
    if (!recorded)
        logger_warn("%zu delivery outcomes not recorded yet: %s", count, error.message);
    return recorded;
}

/* A webhook whose receiver answered 410 Gone is switched off once its outcome is recorded; false
 * when that could not be written (the transfer stays, its outcome recorded again changes nothing). */
static bool switch_off_gone_receiver(sender_t *self, const transfer_t *t)
{
    db_error_t error = {"", ""};
    if (!t->receiver_gone || t->delivery.webhook_id <= 0
        || webhook_store_disable(self->db, t->delivery.webhook_id, NULL, "the receiver answered 410 Gone", &error) >= 0)
        return true;
    logger_warn("delivery %s: its webhook not switched off yet: %s", t->delivery.delivery_id, error.message);
    return false;
}

static void log_outcome(const transfer_t *t)
{
    count_outcome(t, delivery_outcome_name(t->outcome));
    logger_info("delivery %s (%s, attempt %d): %s %s", t->delivery.delivery_id, t->delivery.channel,
                t->delivery.attempt, delivery_outcome_name(t->outcome), t->detail);
}

static void judge_email(transfer_t *t, CURLcode result, long code)
{
    if (result == CURLE_OK) {
        t->outcome = DELIVERY_DELIVERED;
        snprintf(t->detail, sizeof t->detail, "accepted by the mail server (%ld)", code);
        return;
    }
    /* Only "no such mailbox" (550, 551, 553) is final for this one message. Other refusals — relay
     * denied, authentication required or refused — are about our configuration, and would kill every
     * mail at once if taken as final, so they are retried like outages. */
    t->outcome = (code == 550 || code == 551 || code == 553) && result != CURLE_LOGIN_DENIED ? DELIVERY_GONE
                                                                                           : DELIVERY_FAILED;
    snprintf(t->detail, sizeof t->detail, "SMTP %ld: %s", code, t->curl_error[0] ? t->curl_error : curl_easy_strerror(result));
}

/* What the attempt log says of a request that got no answer: staff read it, so it names no host,
 * address or error text of the network in between. */
static const char *no_answer(const transfer_t *t, CURLcode result)
{
    if (t->policy_refused)
        return "refused by the address policy";
    if (result == CURLE_OPERATION_TIMEDOUT)
        return "no answer in time";
    return "could not connect";
}

static void judge_http(transfer_t *t, CURLcode result, long code)
{
    if (result != CURLE_OK) {
        t->outcome = DELIVERY_FAILED;
        snprintf(t->detail, sizeof t->detail, "%s", no_answer(t, result));
        logger_debug("delivery %s: %s", t->delivery.delivery_id, t->curl_error[0] ? t->curl_error : curl_easy_strerror(result));
    } else {
        t->outcome = DELIVERY_FAILED;
        if (code >= 200 && code < 300)
            t->outcome = DELIVERY_DELIVERED;
        else if (code == 410)
            t->outcome = DELIVERY_GONE;
        t->receiver_gone = code == 410 && strcmp(t->delivery.channel, "webhook") == 0;
        snprintf(t->detail, sizeof t->detail, "HTTP %ld", code);
    }
}

static void finish_transfers(sender_t *self)
{
    CURLMsg *msg;
    int left;
    while ((msg = curl_multi_info_read(self->multi, &left))) {
        if (msg->msg != CURLMSG_DONE)
            continue;
        transfer_t *t = NULL;
        long code = 0;
        curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, (char **) &t);
        curl_easy_getinfo(msg->easy_handle, CURLINFO_RESPONSE_CODE, &code);
        if (t->email) {
            judge_email(t, msg->data.result, code);
            if (msg->data.result != CURLE_OK)
                end_session_of_failed(msg->easy_handle);
        } else {
            judge_http(t, msg->data.result, code);
        }
        curl_multi_remove_handle(self->multi, t->easy);
        t->finished = true;
        *(t->email ? &self->email_in_flight : &self->http_in_flight) -= 1;
    }
}

/* A delivery that cannot even be put on the wire (bad address, no receiver configured) is dead at
 * once: trying again would not change it. */
static void start(sender_t *self, claimed_delivery_t *claimed)
{
    transfer_t *t = calloc(1, sizeof *t);
    if (!t) {
        claimed_delivery_clear(claimed);   /* its lease runs out and it is claimed again */
        return;
    }
    t->delivery = *claimed;
    memset(claimed, 0, sizeof *claimed);
    t->email = strcmp(t->delivery.channel, "email") == 0;
    t->started = now_seconds();
    char reason[256] = "out of memory";
    int rc = (t->easy = curl_easy_init()) ? 0 : -1;
    if (rc == 0) {
        curl_easy_setopt(t->easy, CURLOPT_PRIVATE, t);
        curl_easy_setopt(t->easy, CURLOPT_ERRORBUFFER, t->curl_error);
        curl_easy_setopt(t->easy, CURLOPT_NOSIGNAL, 1L);
        curl_easy_setopt(t->easy, CURLOPT_CONNECTTIMEOUT_MS, (long) CONNECT_TIMEOUT_MS);
        rc = t->email ? setup_email(self, t, reason, sizeof reason) : setup_http(self, t, reason, sizeof reason);
    }
    if (rc == 0 && curl_multi_add_handle(self->multi, t->easy) == CURLM_OK) {
        *(t->email ? &self->email_in_flight : &self->http_in_flight) += 1;
    } else {
        t->finished = true;
        t->outcome = DELIVERY_GONE;
        snprintf(t->detail, sizeof t->detail, "cannot be sent: %s", reason);
    }
    t->next = self->transfers;
    self->transfers = t;
}

static void claim(sender_t *self, const char *channel, int budget, int timeout_ms)
{
    if (budget <= 0)
        return;
    claimed_batch_t batch;
    db_error_t error = {"", ""};
    if (delivery_store_claim(self->db, channel, budget, self->s.per_receiver, timeout_ms + LEASE_MARGIN_MS,
                             &batch, &error) != 0) {
        logger_warn("cannot claim deliveries: %s", error.message);
        return;
    }
    claim_rounds_claimed(&self->rounds, claim_channel_of(channel), batch.more_due);
    for (int i = 0; i < batch.count; i++)
        start(self, &batch.items[i]);
    claimed_batch_clear(&batch);
}

/* Webhooks and SMS share the HTTP slots and are claimed one channel at a time (a claim reads its
 * own channel's due rows only); which goes first alternates, so neither waits while the other has
 * a backlog. */
static void claim_http(sender_t *self, claim_channels_t due)
{
    static const char *const channels[] = {"webhook", "sms"};
    for (int i = 0; i < 2; i++) {
        const char *channel = channels[(i + self->http_turn) % 2];
        if (due & claim_channel_of(channel))
            claim(self, channel, self->s.http_concurrency - self->http_in_flight, self->s.http_timeout_ms);
    }
    self->http_turn = !self->http_turn;
}

/* The channels with attempts under way (an HTTP slot serves webhooks and SMS alike). */
static claim_channels_t busy_channels(const sender_t *self)
{
    return (self->email_in_flight > 0 ? CLAIM_EMAIL : 0) | (self->http_in_flight > 0 ? CLAIM_HTTP : 0);
}

/* The channels with at least half their slots free. */
static claim_channels_t roomy_channels(const sender_t *self)
{
    return (2 * self->email_in_flight <= self->s.smtp_concurrency ? CLAIM_EMAIL : 0)
           | (2 * self->http_in_flight <= self->s.http_concurrency ? CLAIM_HTTP : 0);
}

/* Records finished transfers and frees them; transfers whose outcome the database did not take
 * stay for the next round. The slots that came free make their channels due (claim_rounds_freed). */
static void sweep_finished(sender_t *self)
{
    if (!record_finished(self))
        return;
    for (transfer_t **p = &self->transfers; *p;) {
        transfer_t *t = *p;
        if (t->finished && switch_off_gone_receiver(self, t)) {
            log_outcome(t);
            claim_rounds_freed(&self->rounds, claim_channels_freed(t->delivery.channel), busy_channels(self),
                               roomy_channels(self));
            *p = t->next;
            transfer_free(t);
        } else {
            p = &t->next;
        }
    }
}

static void woken_for(const char *payload, void *ctx)
{
    sender_t *self = ctx;
    claim_rounds_added(&self->rounds, claim_channels_woken(payload), busy_channels(self));
}

int sender_run_once(sender_t *self, int timeout_ms, bool may_claim)
{
    if (zclock_mono() >= self->next_poll) {
        claim_rounds_poll(&self->rounds);
        self->next_poll = zclock_mono() + CLAIM_EVERY_MS;
    }
    if (may_claim) {
        claim_channels_t due = claim_rounds_take(&self->rounds, zclock_mono());
        if (due & CLAIM_EMAIL)
            claim(self, "email", self->s.smtp_concurrency - self->email_in_flight, self->s.smtp_timeout_ms);
        if (due & CLAIM_HTTP)
            claim_http(self, due);
        timeout_ms = claim_rounds_wait_ms(&self->rounds, zclock_mono(), timeout_ms);
    }
    int running = 0;
    curl_multi_perform(self->multi, &running);
    struct curl_waitfd wakeup = {.fd = db_wakeup_fd(&self->wakeup), .events = CURL_WAIT_POLLIN};
    if (wakeup.fd >= 0 || running > 0)
        curl_multi_poll(self->multi, &wakeup, wakeup.fd >= 0 ? 1 : 0, timeout_ms, NULL);
    else
        zclock_sleep(timeout_ms);
    if (wakeup.fd >= 0)
        db_wakeup_drain(&self->wakeup, woken_for, self);
    curl_multi_perform(self->multi, &running);
    finish_transfers(self);
    sweep_finished(self);
    metrics_gauge_set(metrics_gauge("aduan_deliveries_in_flight", "Delivery attempts under way", NULL),
                      self->email_in_flight + self->http_in_flight);
    int in_flight = 0;
    for (transfer_t *t = self->transfers; t; t = t->next)
        in_flight++;
    return in_flight;
}

void sender_destroy(sender_t **self_p)
{
    sender_t *self = *self_p;
    if (!self)
        return;
    while (self->transfers) {
        transfer_t *t = self->transfers;
        self->transfers = t->next;
        if (!t->finished)
            curl_multi_remove_handle(self->multi, t->easy);
        transfer_free(t);
    }
    curl_multi_cleanup(self->multi);
    curl_global_cleanup();
    free(self);
    *self_p = NULL;
}
