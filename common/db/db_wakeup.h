#ifndef ADUAN_DB_WAKEUP_H
#define ADUAN_DB_WAKEUP_H

#include <stdbool.h>

#include "db.h"

/* A PostgreSQL LISTEN used as a wake-up only (DESIGN.md: a notification may coalesce and is never
 * the data): whoever waits polls the returned socket beside its own, then reads the tables. The
 * LISTEN is issued again whenever the connection was replaced. Start from a zeroed struct with
 * db and channel set; channel is a fixed identifier of the code, never input. */
typedef struct {
    db_t *db;
    const char *channel;
    unsigned long generation;   /* of the connection that LISTENs; 0 = none yet */
} db_wakeup_t;

/* The socket to poll for notifications (LISTEN issued first when needed), or -1 while the
 * database is unreachable. */
int db_wakeup_fd(db_wakeup_t *self);

/* What a notification's payload tells the one who waits (a hint only: it may have coalesced). */
typedef void (db_wakeup_payload_fn)(const char *payload, void *ctx);

/* Reads what arrived, handing each notification's payload to each (when not NULL); true when at
 * least one notification did. */
bool db_wakeup_drain(db_wakeup_t *self, db_wakeup_payload_fn *each, void *ctx);

#endif
