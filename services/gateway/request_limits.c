#include "request_limits.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "logger.h"
#include "metrics.h"
#include "net_address.h"
#include "rate_limiter.h"
#include "text_buffer.h"
#include "trusted_proxies.h"

/* An IPv6 customer is usually given a /64: counting each address would let one client take 2^64
 * buckets. */
#define IPV6_CLIENT_BITS 64

static const char *const kind_names[RATE_KIND_COUNT] = {"SIGN_IN", "SUBMISSION", "REPORTER", "SURVEY", "OPEN311", "SUPPORT",
                                                            "FOLLOW", "REPORTER_CODE"};

static rate_limiter_t *limiter;
static trusted_proxies_t proxies;

static int read_rule(const config_t *config, rate_kind_t kind, rate_rule_t *rule, char *reason, size_t cap)
{
    char per_minute[64], burst[64];
    long rate = 0, size = 0;
    snprintf(per_minute, sizeof per_minute, "ADUAN_RATE_%s_PER_MINUTE", kind_names[kind]);
    snprintf(burst, sizeof burst, "ADUAN_RATE_%s_BURST", kind_names[kind]);
    if (config_get_long(config, per_minute, 1, 100000000, &rate, reason, cap) != 0
        || config_get_long(config, burst, 1, 100000000, &size, reason, cap) != 0)
        return -1;
    *rule = (rate_rule_t) {(double) rate, (double) size};
    return 0;
}

int request_limits_setup(const config_t *config, char *reason, size_t cap)
{
    rate_rule_t rules[RATE_KIND_COUNT];
    long clients = 0;
    for (int kind = 0; kind < RATE_KIND_COUNT; kind++)
        if (read_rule(config, (rate_kind_t) kind, &rules[kind], reason, cap) != 0)
            return -1;
    if (config_get_long(config, "ADUAN_RATE_CLIENTS", 16, 10000000, &clients, reason, cap) != 0
        || trusted_proxies_parse(config_get(config, "ADUAN_TRUSTED_PROXIES"), &proxies, reason, cap) != 0)
        return -1;
    if (!(limiter = rate_limiter_new((size_t) clients, rules, RATE_KIND_COUNT))) {
        snprintf(reason, cap, "out of memory for %ld rate-limit buckets", clients);
        return -1;
    }
    return 0;
}

void request_limits_teardown(void)
{
    rate_limiter_destroy(&limiter);
}

static enum MHD_Result join_forwarded_for(void *cls, enum MHD_ValueKind kind, const char *key, const char *value)
{
    (void) kind;
    text_buffer_t *joined = cls;
    if (strcasecmp(key, "X-Forwarded-For") == 0 && value) {
        if (joined->len)
            text_buffer_append_str(joined, ",");
        text_buffer_append_str(joined, value);
    }
    return MHD_YES;
}

/* The client's address as the key of its buckets; false when the connection has no IP peer. */
static bool client_key(struct MHD_Connection *c, char *key, size_t cap)
{
    const union MHD_ConnectionInfo *info = MHD_get_connection_info(c, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    net_ip_t peer;
    if (!info || !info->client_addr || net_ip_from_sockaddr(info->client_addr, &peer) != 0)
        return false;
    text_buffer_t forwarded = {0};
    if (trusted_proxies_contains(&proxies, &peer))
        MHD_get_connection_values(c, MHD_HEADER_KIND, join_forwarded_for, &forwarded);
    char *joined = text_buffer_take(&forwarded, NULL);
    net_ip_t client = trusted_proxies_client(&proxies, &peer, joined);
    free(joined);
    if (!net_ip_is_v4(&client))
        net_ip_mask(&client, IPV6_CLIENT_BITS);
    char text[NET_IP_TEXT_MAX];
    net_ip_format(&client, text);
    snprintf(key, cap, "address:%s", text);
    return true;
}

static enum MHD_Result too_many(struct MHD_Connection *c, request_t *req, rate_kind_t kind, int64_t retry_after_ms)
{
    char seconds[24], labels[48], detail[120];
    snprintf(seconds, sizeof seconds, "%lld", (long long) ((retry_after_ms + 999) / 1000));
    snprintf(labels, sizeof labels, "kind=\"%s\"", kind_names[kind]);
    snprintf(detail, sizeof detail, "too many requests of this kind; try again in %s s", seconds);
    metrics_counter_add(metrics_counter("aduan_http_rate_limited_total", "requests refused by a rate limit", labels), 1);
    logger_info("rate limited: %s, retry after %s s", kind_names[kind], seconds);
    const char *const headers[] = {"Retry-After", seconds, NULL};
    return http_send_problem(c, req, &PROBLEM_RATE_LIMITED, detail, NULL, headers);
}

static int64_t now_ms(void)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (int64_t) now.tv_sec * 1000 + now.tv_nsec / 1000000;
}

bool request_limits_admit(struct MHD_Connection *c, request_t *req, rate_kind_t kind, const char *account,
                          enum MHD_Result *rc)
{
    if (req->pass_admissions++ < req->admissions)
        return true;   /* admitted in an earlier pass of this request (http_wait.h): one token per request */
    if (req->outgoing)
        return true;   /* after a command still waiting: this pass answers nothing, the next one asks */
    char key[RATE_CLIENT_MAX + 1];
    int64_t retry_after_ms = 0, now = now_ms();
    bool admitted = !client_key(c, key, sizeof key) || rate_limiter_take(limiter, kind, key, now, &retry_after_ms);
    if (admitted && account) {
        snprintf(key, sizeof key, "account:%s", account);
        admitted = rate_limiter_take(limiter, kind, key, now, &retry_after_ms);
    }
    if (!admitted)
        *rc = too_many(c, req, kind, retry_after_ms);
    else
        req->admissions = req->pass_admissions;
    return admitted;
}
