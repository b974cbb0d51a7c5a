#ifndef ADUAN_REPORTER_NOTIFICATIONS_H
#define ADUAN_REPORTER_NOTIFICATIONS_H

#include <stdbool.h>

#include "db.h"

/* A reporter's say over what aduan-notify sends them about one report: whether at all, and in
 * which language (id or en). Only the holder of the report's reporter token may change it. */
typedef struct {
    bool enabled;
    char language[3];
} reporter_notifications_t;

/* Sets what is given (enabled NULL / language NULL: unchanged) and answers the result in *now.
 * 0 done, 1 no report with this tracking id and token, -1 error. */
int reporter_notifications_set(db_t *db, const char *tracking_id, const char *reporter_token, const bool *enabled,
                               const char *language, reporter_notifications_t *now, db_error_t *error);

#endif
