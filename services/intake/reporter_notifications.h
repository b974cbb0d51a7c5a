#ifndef ADUAN_REPORTER_NOTIFICATIONS_H
#define ADUAN_REPORTER_NOTIFICATIONS_H

#include <stdbool.h>

#include "db.h"

/* A reporter's say over what aduan-notify sends them about one report (columns notify_reporter
 * and language of reports, written by aduan-intake only): whether at all, and in which language
 * (id or en). Only the holder of the report's reporter token may change it. */
typedef struct {
    bool enabled;
    char language[3];
} reporter_notifications_t;

/* Inside the caller's transaction (DESIGN.md property 1): checks the token against the report's
 * stored hash in constant time, sets what is given (enabled NULL / language NULL: unchanged) and,
 * when that changed anything, appends report.notifications_changed in the same transaction. A
 * request that changes nothing (a retry of one that committed) appends nothing. The result is in
 * *now. 0 done, 1 no report with this tracking id and token, -1 error. */
int reporter_notifications_set(db_t *db, const char *tracking_id, const char *reporter_token, const bool *enabled,
                               const char *language, reporter_notifications_t *now, db_error_t *error);

#endif
