#ifndef ADUAN_LIFECYCLE_RUN_H
#define ADUAN_LIFECYCLE_RUN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "db.h"

/* One system action (a rule whose only role is "system", e.g. route) applied to the reports of a
 * consumer's run set-wise, inside the caller's transaction: one statement locks the run's reports
 * (by id, so two runs never deadlock), one updates them (next_due_at and clock_missed as the
 * clocks will stand), one logs the actions, two run the clocks (0031's trigger told to leave
 * those reports, migration 0040), one appends the events (in the run's order). Reports, actions, clocks and events come out as
 * lifecycle_store_apply would write them one at a time with the same time, request ids and notes.
 *
 * A step is applied here only when nothing could refuse it: its report exists and is locked, its
 * status allows the action, its request id was not used, its institution exists and is active,
 * and no earlier step of the run names the same report. Every other step is left (applied false)
 * for lifecycle_store_apply, which answers it as before (a refusal, the first answer again). When
 * the set-wise statements fail, they are rolled back to a savepoint and every step is left. */

typedef struct {
    const char *tracking_id;
    const char *institution;    /* the new holder, or NULL */
    const char *note;           /* may be NULL */
    const char *request_id;     /* required: a replayed step is found by it */
    bool applied;               /* out */
} lifecycle_run_step_t;

/* 0: each step's applied says whether it was done here. -1: a failure a new attempt of the whole
 * transaction may cure (connection, deadlock) or out of memory, in *error; roll back. Runs its
 * statements deferred (db_defer) and ends with nothing deferred. */
int lifecycle_run_apply(db_t *db, const char *action, lifecycle_run_step_t *steps, size_t count, int64_t now_ms,
                        db_error_t *error);

#endif
