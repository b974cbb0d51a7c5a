/* aduan-route: sends verified reports to the institution that must act, serves dispatch down the
 * tree, transfer, follow-up, closing and reopening, and runs every deadline clock: misses become
 * report.deadline_missed events, and a follow-up the reporter leaves unanswered closes the report. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "config_commands.h"
#include "dispatch_run.h"
#include "event_codec.h"
#include "lifecycle_service.h"
#include "lifecycle_store.h"
#include "logger.h"
#include "metrics.h"
#include "routing.h"

static const config_option_t route_options[] = {
    {"ADUAN_ADMIN_ADDR", "127.0.0.1:9183", "host:port of /healthz, /readyz and /metrics"},
    {"ADUAN_ROUTE_BIND", "tcp://127.0.0.1:7103", "command endpoint(s) to bind, comma-separated"},
};

#define SWEEP_BATCH 100

/* The run being handled (consumer thread only). */
static dispatch_run_t current_run;

/* Routes every verified report of the run that nothing refuses, set-wise. */
static int on_run(db_t *db, const event_t *events, size_t count, void *ctx, db_error_t *error)
{
    return dispatch_run_apply(ctx, db, events, count, clock_now_ms(), error);
}

/* A dispatch the run did not apply, one at a time in the consumer's transaction: it is refused
 * (logged) or answered again as before. */
static int route_alone(db_t *db, const event_t *event, const routing_run_t *routing, db_error_t *error)
{
    const char *institution = NULL, *basis = NULL;
    int rc = event->tracking_id ? routing_run_find(routing, event->tracking_id, &institution, &basis) : 1;
    if (rc != 0)
        return rc < 0 ? -1 : 0;
    char note[64], request_id[64];
    snprintf(note, sizeof note, "routed by %s", basis);
    snprintf(request_id, sizeof request_id, "route:%s", event->id);
    report_step_t step;
    lifecycle_context_t context = {request_id, clock_now_ms()};
    report_outcome_t outcome = {0};
    error_reply_t refusal;
    rc = -1;
    if (report_step_system(&step, event->tracking_id, "route", institution, note) == 0)
        rc = lifecycle_store_apply(db, &step, &context, &outcome, &refusal, error);
    report_step_clear(&step);
    if (rc == 1)  /* e.g. archived meanwhile by a resent command: nothing to route, move on */
        logger_warn("report %s not routed: %s %s", event->tracking_id, refusal.code, refusal.detail);
    else if (rc == 0)
        logger_info("report %s routed to %s (%s)", event->tracking_id, institution, basis);
    report_outcome_clear(&outcome);
    return rc < 0 ? -1 : 0;
}

static int on_verified(db_t *db, const event_t *event, void *ctx, db_error_t *error)
{
    const dispatch_run_t *run = ctx;
    const lifecycle_run_step_t *step = dispatch_run_step(run, event);
    if (!step || !step->applied)
        return route_alone(db, event, &run->routing, error);
    logger_info("report %s routed to %s (%s)", event->tracking_id, step->institution, step->note);
    return 0;
}

static int sweep_tx(db_t *db, void *ctx, db_error_t *error)
{
    int *handled = ctx;
    *handled = lifecycle_store_sweep(db, clock_now_ms(), SWEEP_BATCH, error);
    return *handled < 0 ? -1 : 0;
}

/* One batch (one transaction) per call: a full batch says more clocks may be due, and the periodic
 * thread calls again at once. */
static int sweep(db_t *db, const config_t *config)
{
    (void) config;
    int handled = 0;
    db_error_t error = {"", ""};
    if (db_transaction(db, sweep_tx, &handled, &error) != 0) {
        logger_warn("deadline sweep: %s", error.message);
        return -1;
    }
    if (handled > 0) {
        logger_info("deadline sweep handled %d overdue clocks", handled);
        metrics_counter_add(metrics_counter("aduan_overdue_clocks_total",
                                            "Overdue clocks handled: missed deadlines and auto-closes", NULL),
                            (uint64_t) handled);
    }
    return handled == SWEEP_BATCH;
}

int main(int argc, char **argv)
{
    const lifecycle_service_t route = {
        .name = "route", .summary = "routing, dispatch, follow-up, closing and every deadline clock",
        .options = route_options, .option_count = sizeof route_options / sizeof route_options[0],
        .bind_option = "ADUAN_ROUTE_BIND", .topic = EVENT_REPORT_VERIFIED, .handler = on_verified,
        .run_start = on_run, .handler_ctx = &current_run,
        .periodic = sweep, .every_ms = 1000, .register_commands = config_commands_register,
    };
    int exit_code = lifecycle_service_main(&route, argc, argv);
    dispatch_run_clear(&current_run);
    return exit_code;
}
