#ifndef ADUAN_ROUTE_DISPATCH_RUN_H
#define ADUAN_ROUTE_DISPATCH_RUN_H

#include <stddef.h>
#include <stdint.h>

#include "db.h"
#include "event_codec.h"
#include "lifecycle_run.h"
#include "routing.h"

/* The automatic dispatches of a consumer's run of report.verified events: the routing choices of
 * all its reports (one statement), then every dispatch nothing refuses applied set-wise
 * (lifecycle_run.h). The events whose dispatch was not applied here are handled one at a time. */
typedef struct {
    routing_run_t routing;
    lifecycle_run_step_t *steps;   /* one per verified event with a choice */
    char (*texts)[2][64];          /* per step: note, request id */
    int64_t *seqs;                 /* per step: its event's seq */
    size_t count;
} dispatch_run_t;

/* Chooses and applies the run's dispatches at now_ms in the caller's transaction. 0, or -1 with
 * error (the run is then rolled back and tried again). */
int dispatch_run_apply(dispatch_run_t *run, db_t *db, const event_t *events, size_t count, int64_t now_ms,
                       db_error_t *error);
/* The step of an event of the run, NULL when the run made none for it. */
const lifecycle_run_step_t *dispatch_run_step(const dispatch_run_t *run, const event_t *event);
void dispatch_run_clear(dispatch_run_t *run);

#endif
