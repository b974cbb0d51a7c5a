#ifndef ADUAN_STATS_RUN_H
#define ADUAN_STATS_RUN_H

#include <stddef.h>

#include "db.h"
#include "event_codec.h"

/* The counting of one consumer run (event_consumer.h): each event into stat_reports
 * (stats_facts.h), then the run's changed reports folded into the rollup stat_rollup in one
 * statement (stat_rollup_fold, migration 0037): old rows minus, new rows plus, each group once.
 * A surge puts thousands of reports into one group; folding per event rewrote that group's times
 * once per event. The fold commits with the run's positions, so a replay or takeover, whose
 * events change no fact, folds nothing. */
typedef struct stats_run_t stats_run_t;

stats_run_t *stats_run_new(void);
void stats_run_destroy(stats_run_t **self_p);

/* event_run_fn: reads the run's reports as they are before it. ctx is a stats_run_t. */
int stats_run_start(db_t *db, const event_t *events, size_t count, void *ctx, db_error_t *error);
/* event_handler_fn: counts the event; after the run's last event, folds the run. ctx as above. */
int stats_run_count(db_t *db, const event_t *event, void *ctx, db_error_t *error);

#endif
