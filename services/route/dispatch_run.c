#include "dispatch_run.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db_array.h"
#include "message_types.h"

static bool is_verified(const event_t *event)
{
    return event->tracking_id && strcmp(event->type, EVENT_REPORT_VERIFIED) == 0;
}

static int out_of_memory(db_error_t *error)
{
    snprintf(error->message, sizeof error->message, "out of memory");
    return -1;
}

/* Where every verified report of the run goes, in one statement. */
static int choose(dispatch_run_t *run, db_t *db, const event_t *events, size_t count, db_error_t *error)
{
    db_array_t ids;
    memset(&ids, 0, sizeof ids);
    for (size_t i = 0; i < count; i++)
        if (is_verified(&events[i]))
            db_array_add(&ids, events[i].tracking_id);
    char *list = db_array_take(&ids);
    if (!list)
        return out_of_memory(error);
    int rc = routing_run_choose(db, list, &run->routing, error);
    free(list);
    return rc;
}

/* A step for each verified event whose report has a choice; the event id as request id makes a
 * replayed event a no-op even before the position check. */
static int make_steps(dispatch_run_t *run, const event_t *events, size_t count, db_error_t *error)
{
    run->steps = calloc(count, sizeof *run->steps);
    run->texts = calloc(count, sizeof *run->texts);
    run->seqs = calloc(count, sizeof *run->seqs);
    if (!run->steps || !run->texts || !run->seqs)
        return out_of_memory(error);
    for (size_t i = 0; i < count; i++) {
        const char *institution = NULL, *basis = NULL;
        if (!is_verified(&events[i])
            || routing_run_find(&run->routing, events[i].tracking_id, &institution, &basis) != 0)
            continue;
        size_t n = run->count++;
        snprintf(run->texts[n][0], sizeof run->texts[n][0], "routed by %s", basis);
        snprintf(run->texts[n][1], sizeof run->texts[n][1], "route:%s", events[i].id);
        run->steps[n] = (lifecycle_run_step_t) {events[i].tracking_id, institution, run->texts[n][0],
                                                run->texts[n][1], false};
        run->seqs[n] = events[i].seq;
    }
    return 0;
}

int dispatch_run_apply(dispatch_run_t *run, db_t *db, const event_t *events, size_t count, int64_t now_ms,
                       db_error_t *error)
{
    dispatch_run_clear(run);
    if (choose(run, db, events, count, error) != 0 || make_steps(run, events, count, error) != 0)
        return -1;
    return lifecycle_run_apply(db, "route", run->steps, run->count, now_ms, error);
}

static int compare_seq(const void *a, const void *b)
{
    int64_t x = *(const int64_t *) a, y = *(const int64_t *) b;
    return (x > y) - (x < y);
}

/* The steps were made in the run's order, which is the log's (event_consumer.h), so their seqs
 * ascend: a binary search, where a scan for each event made a run of 1 000 cost half a million
 * comparisons. */
const lifecycle_run_step_t *dispatch_run_step(const dispatch_run_t *run, const event_t *event)
{
    const int64_t *found = run->count ? bsearch(&event->seq, run->seqs, run->count, sizeof *run->seqs, compare_seq)
                                      : NULL;
    return found ? &run->steps[found - run->seqs] : NULL;
}

void dispatch_run_clear(dispatch_run_t *run)
{
    routing_run_clear(&run->routing);
    free(run->steps);
    free(run->texts);
    free(run->seqs);
    run->steps = NULL;
    run->texts = NULL;
    run->seqs = NULL;
    run->count = 0;
}
