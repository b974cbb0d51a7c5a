#ifndef ADUAN_EVENT_LOG_H
#define ADUAN_EVENT_LOG_H
#include <stddef.h>
#include <stdint.h>
#include "db.h"
#include "event_codec.h"

/* The append-only event log in PostgreSQL (table `events`) — the system of record for what
 * happened, in one global order.
 *
 * Why sequencing happens after commit: an id taken from a sequence at INSERT time is not commit
 * order (a transaction holding id 10 may commit after id 11 is visible), so a reader following ids
 * would skip 10 for ever. Writers therefore append with seq NULL inside their own transaction; a
 * sequencer (event_log_sequence) later gives committed rows the next numbers of a dense counter,
 * under a transaction-scoped advisory lock, in one transaction. Rolled-back events are never seen,
 * late commits are numbered when they become visible, and every reader sees the same order
 * 1, 2, 3, … without gaps. Appending also wakes EVENT_LOG_CHANNEL's listeners once committed
 * (db_wake_after_commit; a wake-up only). */
#define EVENT_LOG_CHANNEL "aduan_events"

/* Inside the caller's transaction (db_transaction): inserts the event (seq unassigned) and wakes
 * EVENT_LOG_CHANNEL's listeners after the commit. event->id, type, actor_role and payload are
 * required; occurred_at 0 means now(). 0 on success. */
int event_log_append(db_t *db, const event_t *event, db_error_t *error);
/* For an event just built by a call that returned `built` (0 when it was): appends it if so, and
 * clears it either way. 0, or -1 with the reason in *error. */
int event_log_append_built(db_t *db, int built, event_t *event, db_error_t *error);
/* The same for `count` events in one statement (a batch), appended in their order. */
int event_log_append_many(db_t *db, const event_t *events, size_t count, db_error_t *error);

/* Numbers up to `max` committed, unnumbered events in insertion order; returns how many (>= 0) or
 * -1 on error. Any process may call it; concurrent callers serialise on the advisory lock. */
int event_log_sequence(db_t *db, int max, db_error_t *error);

/* The highest assigned sequence number (0 for an empty log), or -1 on error. */
int64_t event_log_head(db_t *db, db_error_t *error);

/* Numbered events with seq > after_seq (and type starting with topic_prefix, "" for all), in
 * order, at most `max`. 0 on success, filling *batch (caller clears it). */
int event_log_read(db_t *db, int64_t after_seq, const char *topic_prefix, int max,
                   event_batch_t *batch, db_error_t *error);

#endif
