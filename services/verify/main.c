/* aduan-verify: the verification desk. Records the automatic pre-checks of every submitted report
 * and serves the desk's actions (verify, postpone, not our authority, archive, link a duplicate)
 * and the staff views. */
#include <stdio.h>
#include <stdlib.h>

#include "clock.h"
#include "event_codec.h"
#include "lifecycle_service.h"
#include "logger.h"
#include "prechecks.h"

/* The trigrams of this many recent reports are kept for the duplicate pre-check (4 bytes each): a
 * report is compared with the 50 latest of its region and category, so this covers about 80 busy
 * region-and-category pairs at once, within about 2 MB. */
#define TRIGRAM_SLOTS 4096
#define TRIGRAM_BUDGET (512 * 1024)

static const config_option_t verify_options[] = {
    {"ADUAN_ADMIN_ADDR", "127.0.0.1:9182", "host:port of /healthz, /readyz and /metrics"},
    {"ADUAN_VERIFY_BIND", "tcp://127.0.0.1:7102", "command endpoint(s) to bind, comma-separated"},
};

static int on_submitted(db_t *db, const event_t *event, void *ctx, db_error_t *error)
{
    prechecks_t *prechecks = ctx;
    return event->tracking_id ? prechecks_record(prechecks, db, event->tracking_id, clock_now_ms(), error) : 0;
}

/* The run's reports are read, checked and recorded together; their events are then handled one by one. */
static int on_run(db_t *db, const event_t *events, size_t count, void *ctx, db_error_t *error)
{
    const char **tracking_ids = malloc(count * sizeof *tracking_ids);
    if (!tracking_ids) {
        snprintf(error->message, sizeof error->message, "out of memory for a run of %zu events", count);
        error->sqlstate[0] = '\0';
        return -1;
    }
    size_t n = 0;
    for (size_t i = 0; i < count; i++)
        if (events[i].tracking_id)
            tracking_ids[n++] = events[i].tracking_id;
    int rc = prechecks_run_start(ctx, db, tracking_ids, n, clock_now_ms(), error);
    free(tracking_ids);
    return rc;
}

/* The trigram sets are up to 2 MB of blocks made while a backlog's memory was in use, scattered over
 * the heap it grew: kept, they hold its pages after the trim of an idle spell (what that cost is in
 * docs/performance.md, stop 67). The first reports after the spell read their candidates' texts
 * again. */
static void forget_trigrams(void *ctx)
{
    prechecks_forget(ctx);
}

int main(int argc, char **argv)
{
    prechecks_t *prechecks = prechecks_new(TRIGRAM_SLOTS, TRIGRAM_BUDGET);
    if (!prechecks) {
        logger_error("verify cannot start: out of memory, or the C.UTF-8 locale is not installed");
        return 1;
    }
    const lifecycle_service_t verify = {
        .name = "verify", .summary = "the verification desk: pre-checks and verification actions",
        .options = verify_options, .option_count = sizeof verify_options / sizeof verify_options[0],
        .bind_option = "ADUAN_VERIFY_BIND", .topic = EVENT_REPORT_SUBMITTED, .handler = on_submitted,
        .run_start = on_run, .idle = forget_trigrams, .handler_ctx = prechecks,
    };
    int rc = lifecycle_service_main(&verify, argc, argv);
    prechecks_destroy(&prechecks);
    return rc;
}
