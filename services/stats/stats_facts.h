#ifndef ADUAN_STATS_FACTS_H
#define ADUAN_STATS_FACTS_H

#include <stddef.h>
#include <stdint.h>

#include "db.h"
#include "event_codec.h"

/* What the event log says about each report, for statistics (table stat_reports): kept by
 * aduan-stats' consumer group from the events alone — never from the reports table — so that a
 * rebuild from the log gives the same numbers, and applied with the event's own time and seq, so
 * that an event counted once changes nothing the second time. */

#define STATS_GROUP "stats"

/* Counts events (in log order) inside the caller's transaction, in one statement whatever their
 * number: each report they change is written once, as their changes one after the other leave it,
 * and the reports' change is folded into the rollup stat_rollup (migrations 0037, 0042) in the
 * same statement. Counting a consumer run's events per event wrote a report once per event and
 * cost a statement each; the figures are the same (tests/e2e/test_stats_runs.py). Events about no
 * report, of types that do not change a report's numbers, or at or below the report's last
 * counted seq change nothing. 0, or -1. */
int stats_facts_count(db_t *db, const event_t *events, size_t count, db_error_t *error);

/* Inside the caller's transaction: holds the stats group's positions (its members wait), empties
 * stat_reports, counts every numbered event of the log again in order, moves the group's
 * positions to the last one and counts the rollup of the facts (stat_rollup) again from them.
 * Returns the events read, or -1. */
int64_t stats_facts_rebuild(db_t *db, db_error_t *error);

#endif
