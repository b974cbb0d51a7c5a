#include "stats_run.h"

#include <stdio.h>
#include <stdlib.h>

#include "db_array.h"
#include "stats_facts.h"

struct stats_run_t {
    char *ids;        /* text[] literal: the reports the run's events are about, NULL without any */
    char *old_rows;   /* stat_reports[] literal: those reports before the run */
    size_t left;      /* events of the run the handler has still to see */
};

stats_run_t *stats_run_new(void)
{
    return calloc(1, sizeof(stats_run_t));
}

static void forget(stats_run_t *self)
{
    free(self->ids);
    free(self->old_rows);
    self->ids = self->old_rows = NULL;
    self->left = 0;
}

void stats_run_destroy(stats_run_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    forget(*self_p);
    free(*self_p);
    *self_p = NULL;
}

int stats_run_start(db_t *db, const event_t *events, size_t count, void *ctx, db_error_t *error)
{
    stats_run_t *self = ctx;
    forget(self);   /* a run rolled back and tried again in halves starts here again */
    db_array_t ids = {0};
    for (size_t i = 0; i < count; i++)
        if (events[i].tracking_id)
            db_array_add(&ids, events[i].tracking_id);
    size_t reports = ids.count;
    if (!(self->ids = db_array_take(&ids))) {
        snprintf(error->message, sizeof error->message, "out of memory");
        return -1;
    }
    self->left = count;
    if (reports == 0)
        return 0;
    const char *params[] = {self->ids};
    return db_query_value(db, "SELECT ARRAY(SELECT s FROM stat_reports s WHERE s.tracking_id = ANY($1::text[]))",
                          1, params, &self->old_rows, error);
}

int stats_run_count(db_t *db, const event_t *event, void *ctx, db_error_t *error)
{
    stats_run_t *self = ctx;
    if (stats_facts_apply(db, event, error) != 0)
        return -1;
    if (self->left == 0 || --self->left > 0 || !self->old_rows)
        return 0;
    const char *params[] = {self->old_rows, self->ids};
    return db_exec_ok(db, "SELECT stat_rollup_fold($1::stat_reports[], $2::text[])", 2, params, error);
}
