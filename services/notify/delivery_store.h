#ifndef ADUAN_DELIVERY_STORE_H
#define ADUAN_DELIVERY_STORE_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "db.h"
#include "error_reply.h"
#include "secret_setting.h"
#include "staff_accounts.h"

/* Deliveries and their attempts (tables deliveries, delivery_attempts): the proof of who was
 * told what, when, on which channel.
 * - One row per (event, channel, recipient kind, recipient): adding it again (a replayed event, a second replica)
 *   adds nothing. Its delivery id is derived from that key, so it is the same however often the
 *   event is handled.
 * - A sender claims due rows for a lease (status sending, attempt logged), sends, then records the
 *   outcome. A sender that died mid-send leaves a lease that runs out; the next claim marks that
 *   attempt interrupted and tries again. At most `per_receiver` rows of one receiver are in flight
 *   at once, so a slow receiver holds only its own share of the senders.
 * - Failed attempts are retried at the time the sender gives; when max_attempts are used up, or the
 *   receiver is gone (HTTP 410), the delivery is dead: listed for staff, who may send it again. */

#define DELIVERY_ID_LEN 32

/* NOTIFY channel of new deliveries (a wake-up for senders; db_wakeup.h). */
#define DELIVERIES_CHANNEL "aduan_deliveries"

/* The delivery id of (event, channel, recipient kind, recipient): the first 32 hex digits of the
 * HMAC-SHA256, under the server's delivery id key, of "event_id/channel/kind/recipient". The same
 * delivery always has the same id; without the key nobody can test a guessed recipient (an
 * anonymous reporter's phone number) against an id and event id shown to staff. */
void delivery_store_make_id(const unsigned char key[SECRET_SETTING_BYTES], const char *event_id, const char *channel,
                            const char *recipient_kind, const char *recipient, char out[DELIVERY_ID_LEN + 1]);

typedef struct {
    const char *delivery_id;               /* delivery_store_make_id */
    const char *event_id;
    int64_t event_seq;
    const char *event_type;
    int64_t report_id;                     /* 0: not about a report */
    const char *tracking_id, *institution; /* institution: whose scope the delivery is in */
    const char *channel;                   /* email | sms | webhook | inbox */
    const char *recipient_kind;            /* reporter | staff | webhook */
    const char *recipient;                 /* address, phone number, staff id or webhook id */
    int64_t staff_id, webhook_id;          /* 0 when not a staff member / webhook */
    const char *language;
    const char *subject, *body_text, *body_html;   /* e-mail, sms text, inbox item */
    const char *payload;                   /* webhook and sms: the JSON body */
    const char *list_unsubscribe;          /* e-mail: the one-click unsubscribe URL (RFC 8058), or NULL */
    int max_attempts;
} delivery_t;

/* Adds a delivery; *created tells whether it is new. An inbox delivery is delivered at once (its
 * inbox item is written here too); for any other the senders are woken after the commit
 * (DELIVERIES_CHANNEL, db_wake_after_commit), told its channel. 0, or -1. */
int delivery_store_add(db_t *db, const delivery_t *delivery, bool *created, db_error_t *error);

/* Many deliveries in one statement, as delivery_store_add adds each: `set` is a JSON array that
 * delivery_set_add fills (0, or -1 out of memory). With created NULL the answer is not read, so
 * while the connection defers (db_defer) the statement costs no round trip. 0, or -1. */
int delivery_set_add(json_t *set, const delivery_t *delivery);
int delivery_store_add_set(db_t *db, const json_t *set, int *created, db_error_t *error);

typedef struct {
    int64_t id;
    char *delivery_id, *channel, *recipient, *event_type, *tracking_id, *language;
    int attempt, max_attempts;
    int retry_from;                        /* attempts before the last re-send by staff */
    char *subject, *body_text, *body_html, *payload;
    char *list_unsubscribe;                /* e-mail: RFC 8058 headers when set */
    char *url, *secret;                    /* webhooks: the receiver */
    int64_t webhook_id;
} claimed_delivery_t;

typedef struct {
    claimed_delivery_t *items;
    int count;
    bool more_due;   /* the claim passed over due deliveries it could have taken with a larger max */
} claimed_batch_t;

/* The senders' connection: claims and outcomes are prepared and run on generic plans that read
 * by index (db_prepare_index_plans), planned once instead of at every call; each of their
 * statements is written to read deliveries and attempts through an index. 0, or -1. */
int delivery_store_prepare_senders_connection(db_t *db, db_error_t *error);

/* Claims up to `max` due deliveries of one channel, at most per_receiver in flight per receiver,
 * for lease_ms. 0, or -1. */
int delivery_store_claim(db_t *db, const char *channel, int max, int per_receiver, int lease_ms,
                         claimed_batch_t *batch, db_error_t *error);
/* Its statement ($1 channel, $2 max, $3 per_receiver, $4 lease_ms), for tests of its plan. */
extern const char delivery_store_claim_sql[];
void claimed_batch_clear(claimed_batch_t *batch);
/* Frees what one claimed delivery owns (for a delivery moved out of its batch). */
void claimed_delivery_clear(claimed_delivery_t *delivery);

typedef enum { DELIVERY_DELIVERED, DELIVERY_FAILED, DELIVERY_GONE } delivery_outcome_t;

/* The outcome as the database, the metrics and the log name it: "delivered", "failed", "gone". */
const char *delivery_outcome_name(delivery_outcome_t outcome);

/* The outcome of one claimed attempt (detail: what the receiver said). A borrowed view: the
 * delivery and the detail stay the caller's. */
typedef struct {
    const claimed_delivery_t *delivery;
    delivery_outcome_t outcome;
    const char *detail;
    int64_t retry_in_ms;    /* a failed one is due again after this, unless its attempts are used up */
} delivery_finish_t;

/* Records the outcomes of claimed attempts, all in one statement. An outcome that comes after the
 * lease was taken over, or again, changes nothing. 0, or -1 (none recorded). */
int delivery_store_finish(db_t *db, const delivery_finish_t *finished, size_t count, db_error_t *error);

/* Deliveries waiting to be sent (pending, due or not) per sending channel, for /metrics:
 * depths[0] e-mail, [1] sms, [2] webhook. 0, or -1. */
#define DELIVERY_CHANNELS_SENT 3
extern const char *const delivery_sent_channels[DELIVERY_CHANNELS_SENT];
int delivery_store_queue_depths(db_t *db, int64_t depths[DELIVERY_CHANNELS_SENT], db_error_t *error);

/* Staff views: deliveries in the member's scope (national admins: all; others: those of their
 * institution's subtree), newest first, each with its attempts. Filters may be NULL. */
typedef struct {
    const char *tracking_id, *status, *channel;
    bool by_webhook;      /* only the deliveries to webhook_id (none when it is not a webhook's id) */
    int64_t webhook_id;
    int limit, offset;
} delivery_filter_t;

int delivery_store_list(db_t *db, const staff_member_t *who, const delivery_filter_t *filter, char **json,
                        db_error_t *error);

/* Queues a dead delivery again with `attempts` more tries, under the request id of the command
 * that asked: the same request again (a retry) queues nothing more and answers as the first did.
 * 0 queued (*json: the delivery); 1 refused: not_found (not in scope) or not_resendable (not dead,
 * or its webhook is disabled); -1 error. */
int delivery_store_resend(db_t *db, const staff_member_t *who, const char *delivery_id, const char *request_id,
                          int attempts, char **json, error_reply_t *refusal, db_error_t *error);

#endif
