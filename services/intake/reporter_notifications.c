#include "reporter_notifications.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "event_log.h"
#include "report_events.h"
#include "secret_token.h"

/* Stores the new settings and appends their event. */
static int change(db_t *db, const char *report_id, const char *tracking_id, const reporter_notifications_t *now,
                  db_error_t *error)
{
    const char *params[] = {report_id, now->enabled ? "t" : "f", now->language};
    if (db_exec_ok(db, "UPDATE reports SET notify_reporter = $2::boolean, language = $3 WHERE id = $1::bigint",
                   3, params, error) != 0)
        return -1;
    event_t event;
    int built = report_events_notifications(strtoll(report_id, NULL, 10), tracking_id, now->enabled, now->language,
                                            &event);
    return event_log_append_built(db, built, &event, error);
}

int reporter_notifications_set(db_t *db, const char *tracking_id, const char *reporter_token, const bool *enabled,
                               const char *language, reporter_notifications_t *now, db_error_t *error)
{
    const char *params[] = {tracking_id};
    PGresult *r = db_exec(db, "SELECT id, reporter_token_hash, notify_reporter, language FROM reports "
                              "WHERE tracking_id = $1 FOR UPDATE", 1, params, error);
    if (!r)
        return -1;
    if (PQntuples(r) != 1 || !secret_token_matches(reporter_token, PQgetvalue(r, 0, 1))) {
        PQclear(r);
        return 1;
    }
    reporter_notifications_t before = {PQgetvalue(r, 0, 2)[0] == 't', ""};
    snprintf(before.language, sizeof before.language, "%s", PQgetvalue(r, 0, 3));
    *now = before;
    if (enabled)
        now->enabled = *enabled;
    if (language)
        snprintf(now->language, sizeof now->language, "%s", language);
    bool changed = now->enabled != before.enabled || strcmp(now->language, before.language) != 0;
    int rc = changed ? change(db, PQgetvalue(r, 0, 0), tracking_id, now, error) : 0;
    PQclear(r);
    return rc;
}
