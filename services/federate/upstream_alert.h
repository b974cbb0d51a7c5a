#ifndef ADUAN_UPSTREAM_ALERT_H
#define ADUAN_UPSTREAM_ALERT_H

#include "db.h"
#include "forward_store.h"

/* Tells the staff that a report is stuck on its way upstream (the upstream stayed down for
 * alert_after attempts, or refused it): appends a report.upstream_down event (docs/event-stream.md),
 * which aduan-notify puts in the inbox of the admins above the upstream institution. In the
 * caller's transaction. 0, or -1 with the error. */
int upstream_alert(db_t *db, const forward_t *forward, const char *why, db_error_t *error);

#endif
