#ifndef ADUAN_FORWARD_STORE_H
#define ADUAN_FORWARD_STORE_H

#include <stdbool.h>
#include <stdint.h>

#include "db.h"

/* The SQL of federation (db/migrations/0019_federation.sql): which reports go to an upstream
 * Open311 server, what each upstream answered, and what of it has been mirrored here. */

/* In the consumer's transaction: when the report is now held by an upstream institution, its
 * forward is recorded (once per report and upstream, however often this runs). *created 1 when
 * this call made it. */
int forward_store_enqueue(db_t *db, const char *tracking_id, int *created, db_error_t *error);

/* A forward with what sending or polling it needs. */
typedef struct {
    int64_t id;
    int attempts;
    bool alerted;
    char *tracking_id, *institution, *base_url, *jurisdiction_id, *service_code;
    char *title, *body, *address;
    bool has_position, anonymous, confidential;
    double lat, lon;
    char *reporter_name, *reporter_email, *reporter_phone;
    char *upstream_id, *upstream_status;
    int notes_seen;
} forward_t;

void forward_clear(forward_t *forward);

/* Inside a transaction, locks (SKIP LOCKED) one forward: a pending one whose next attempt is due
 * and whose report the upstream still holds here (kind "send") or a forwarded one whose report is not closed here and was not polled within
 * poll_ms (kind "poll"). 0 with *forward, 1 when none, -1 on error. */
int forward_store_claim_due(db_t *db, int64_t now_ms, forward_t *forward, db_error_t *error);
int forward_store_claim_poll(db_t *db, int64_t now_ms, int64_t poll_ms, forward_t *forward, db_error_t *error);

int forward_store_forwarded(db_t *db, int64_t id, const char *upstream_id, db_error_t *error);
int forward_store_refused(db_t *db, int64_t id, const char *why, db_error_t *error);
/* A failed attempt: the next one at next_ms; alerted records that the staff were told. */
int forward_store_failed(db_t *db, int64_t id, const char *why, int64_t next_ms, bool alerted, db_error_t *error);
int forward_store_polled(db_t *db, int64_t id, int64_t now_ms, const char *upstream_status, int notes_seen,
                         db_error_t *error);

/* For /metrics: forwards waiting to be sent, and refused for good. 0, or -1 with the error. */
int forward_store_counts(db_t *db, int64_t *pending, int64_t *refused, db_error_t *error);

#endif
