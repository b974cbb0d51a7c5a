#include "stats_gauges.h"

#include <stdlib.h>

#include "metrics.h"

#define BUCKETS_HELP "Reports by public bucket (counted from the event log)"
#define MISSED_HELP "Reports that missed a deadline, by clock"

/* In the order of the statement's columns. The rollup's `archived` counts status archived, the
 * only status of the public bucket archived (migration 0004). */
static const struct {
    const char *name;
    const char *help;
    const char *labels;
} GAUGES[] = {
    {"aduan_reports", BUCKETS_HELP, "public_status=\"not_yet_verified\""},
    {"aduan_reports", BUCKETS_HELP, "public_status=\"not_yet_followed_up\""},
    {"aduan_reports", BUCKETS_HELP, "public_status=\"in_process\""},
    {"aduan_reports", BUCKETS_HELP, "public_status=\"completed\""},
    {"aduan_reports", BUCKETS_HELP, "public_status=\"archived\""},
    {"aduan_reports_deadline_missed", MISSED_HELP, "deadline=\"verification\""},
    {"aduan_reports_deadline_missed", MISSED_HELP, "deadline=\"follow_up\""},
    {"aduan_reports_deadline_missed", MISSED_HELP, "deadline=\"resolution\""},
};

static int read_rollup(db_t *db, void *ctx, db_error_t *error)
{
    (void) ctx;
    PGresult *r = db_exec(db,
        "SELECT coalesce(sum(not_yet_verified), 0), coalesce(sum(not_yet_followed_up), 0), "
        "coalesce(sum(in_process), 0), coalesce(sum(completed), 0), coalesce(sum(archived), 0), "
        "coalesce(sum(verification_missed), 0), coalesce(sum(follow_up_missed), 0), "
        "coalesce(sum(resolution_missed), 0) FROM stat_rollup",
        0, NULL, error);
    if (!r)
        return -1;
    for (int i = 0; i < (int) (sizeof GAUGES / sizeof GAUGES[0]); i++)
        metrics_gauge_set(metrics_gauge(GAUGES[i].name, GAUGES[i].help, GAUGES[i].labels),
                          strtod(PQgetvalue(r, 0, i), NULL));
    PQclear(r);
    return 0;
}

int stats_gauges_update(db_t *db, db_error_t *error)
{
    return db_bounded_transaction(db, GAUGES_WAIT_MS, read_rollup, NULL, error);
}
