#ifndef ADUAN_NOTIFY_SENDER_H
#define ADUAN_NOTIFY_SENDER_H

#include <stdbool.h>

#include "address_policy.h"
#include "db.h"

/* Sends due deliveries (delivery_store.h) with libcurl's multi interface: many transfers at once
 * on one thread, each with its own timeout. E-mail and HTTP (webhooks, the SMS provider) have
 * separate budgets of concurrent transfers, and one receiver gets at most per_receiver of them, so
 * a slow or dead webhook delays neither e-mail nor other receivers.
 * Outcomes: e-mail accepted (2xx) → delivered, mailbox refused (550, 551, 553) → dead, anything
 * else → retried with backoff; HTTP 2xx → delivered, 410 → dead and the webhook switched off, anything
 * else (other status, timeout, refused connection) → retried. A webhook request connects only to an
 * address the policy allows (address_policy.h), whatever its host resolves to at that moment; the
 * attempt log says "refused by the address policy" or "could not connect", never the network's
 * own words, which staff would otherwise read about the operator's internal network. */
typedef struct {
    const char *smtp_url;            /* smtp://host:port or smtps://host:port */
    const char *smtp_tls;            /* off | try | required (STARTTLS on smtp://) */
    const char *smtp_user, *smtp_password;   /* "" = no AUTH */
    const char *mail_from;           /* envelope and header address */
    const char *mail_from_name;
    const char *sms_url, *sms_secret;        /* "" = no SMS provider */
    int smtp_timeout_ms, http_timeout_ms;
    int smtp_concurrency, http_concurrency, per_receiver;
    long retry_base_ms, retry_cap_ms;
    const address_policy_t *webhook_policy;  /* checked on the address each webhook request connects to */
} sender_settings_t;

typedef struct sender_t sender_t;

sender_t *sender_new(const sender_settings_t *settings, db_t *db, char *reason, size_t reason_cap);
void sender_destroy(sender_t **self_p);

/* Claims what may start now, moves transfers on for up to timeout_ms, records what finished.
 * With `claim` false nothing new starts (shutting down). Returns the transfers still in flight. */
int sender_run_once(sender_t *self, int timeout_ms, bool claim);

#endif
