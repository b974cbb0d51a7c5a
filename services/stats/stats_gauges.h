#ifndef ADUAN_STATS_GAUGES_H
#define ADUAN_STATS_GAUGES_H

#include "db.h"

/* The operators' gauges of the counted facts: aduan_reports{public_status} (reports by public
 * bucket) and aduan_reports_deadline_missed{deadline} (reports that missed a clock at least
 * once). They are read from the rollup that the counting keeps in the same transaction as the
 * facts: the sum of its groups costs the same at any number of reports, where counting the facts
 * read every report, on the hub's thread, which publishes nothing meanwhile (about 160 ms every
 * 5 s at 100 000 reports). The read gives up after GAUGES_WAIT_MS: a rebuild of the statistics
 * locks the rollup for as long as it takes, and the hub's thread (publishing, SIGTERM) must not
 * wait for it. 0, or -1 with *error set (the gauges keep their last values). */
#define GAUGES_WAIT_MS 200
int stats_gauges_update(db_t *db, db_error_t *error);

#endif
