#ifndef ADUAN_NOTIFY_FANOUT_RUN_H
#define ADUAN_NOTIFY_FANOUT_RUN_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "db.h"
#include "event_codec.h"

/* What the fan-out of a run of events (event_consumer.h) reads, read once for the run instead of
 * once per event, and the deliveries it makes, written once for the run: every event's report and
 * the words for its codes in one statement at the start of the run, and the answers of the lookups
 * an event repeats (its rules, the staff of an audience, the webhooks of an institution, a
 * template's words), each asked once per run. An edit of rules, templates, staff or webhooks
 * counts from the next run on, as it counted from the next event before. */
typedef struct fanout_run_t fanout_run_t;

fanout_run_t *fanout_run_new(void);
void fanout_run_destroy(fanout_run_t **self_p);

/* Reads what the run's events need and forgets the previous run's answers. 0, or -1 with the
 * error. */
int fanout_run_start(fanout_run_t *self, db_t *db, const event_t *events, size_t count, db_error_t *error);

/* The run's row of an event: report columns FANOUT_R_*, then label columns from FANOUT_LABELS; -1
 * when the event is not in the run. */
enum { FANOUT_R_ID, FANOUT_R_TITLE, FANOUT_R_CONFIDENTIAL, FANOUT_R_EMAIL, FANOUT_R_PHONE, FANOUT_R_LANGUAGE,
       FANOUT_R_NOTIFY, FANOUT_R_STATUS, FANOUT_R_NOTE, FANOUT_R_FOLLOWED, FANOUT_LABELS };
int fanout_run_row(fanout_run_t *self, const event_t *event);
const PGresult *fanout_run_rows(const fanout_run_t *self);
/* Whether the event of that row is the run's last: the handler sees every event of the run, in
 * order (event_consumer.h), so at that one the run's work is complete. */
bool fanout_run_is_last(const fanout_run_t *self, int row);

/* The run's deliveries (delivery_set_add), owned by the run: every event adds its own, and the
 * last event adds them all in one statement (a few rows per statement cost PostgreSQL's backend
 * 1.5-1.7 times the CPU of a run's hundreds at once). Emptied when the next run starts (and by the
 * handler once it has added them). */
json_t *fanout_run_deliveries(fanout_run_t *self);

/* A query asked once per run: the first call runs it, later calls with the same SQL and values
 * get the same answer (owned by the run). NULL with the error. */
const PGresult *fanout_run_query(fanout_run_t *self, db_t *db, const char *sql, int nparams,
                                 const char *const *params, db_error_t *error);

#endif
