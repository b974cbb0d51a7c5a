#include "upstream_alert.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "envelope.h"
#include "event_log.h"
#include "message_types.h"
#include "msgpack_fields.h"

#define UPSTREAM_DOWN_VERSION 1

typedef struct {
    const char *upstream, *error;
    int64_t attempts;
} down_payload_t;

static const mpf_field_t down_fields[] = {
    {"upstream", MPF_STR, false, 0, offsetof(down_payload_t, upstream), MPF_NO_FLAG},
    {"note", MPF_STR, false, 0, offsetof(down_payload_t, error), MPF_NO_FLAG},
    {"attempts", MPF_INT, false, 0, offsetof(down_payload_t, attempts), MPF_NO_FLAG},
};

static int64_t report_id(db_t *db, const char *tracking_id, db_error_t *error)
{
    const char *params[] = {tracking_id};
    char *id = NULL;
    if (db_query_value(db, "SELECT id FROM reports WHERE tracking_id = $1", 1, params, &id, error) != 0 || !id)
        return -1;
    int64_t value = strtoll(id, NULL, 10);
    free(id);
    return value;
}

int upstream_alert(db_t *db, const forward_t *f, const char *why, db_error_t *error)
{
    int64_t report = report_id(db, f->tracking_id, error);
    if (report < 0)
        return -1;
    char id[ENVELOPE_ID_MAX + 1];
    envelope_random_id(id);
    down_payload_t p = {f->institution, why, f->attempts + 1};
    event_t event = {
        .id = id, .type = EVENT_UPSTREAM_DOWN, .version = UPSTREAM_DOWN_VERSION,
        .occurred_at_ms = clock_now_ms(), .report_id = report, .tracking_id = f->tracking_id,
        .institution = f->institution, .actor_role = "system",
    };
    int rc = mpf_encode(down_fields, MPF_COUNT(down_fields), &p, &event.payload, &event.payload_size);
    if (rc == 0)
        rc = event_log_append(db, &event, error);
    else
        snprintf(error->message, sizeof error->message, "cannot encode report.upstream_down");
    free(event.payload);
    return rc;
}
