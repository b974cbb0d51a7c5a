#include "report_events.h"

#include <stdlib.h>
#include <string.h>

#include "envelope.h"
#include "msgpack_fields.h"

typedef struct {
    const char *classification, *category, *region, *channel, *status;
    bool anonymous, confidential;
    const char *title, *body, *incident_date, *address;
    bool has_coordinates;
    double lat, lon;
    const char *target_institution, *reporter_name;
} submitted_payload_t;

#define S(key, member) {key, MPF_STR, false, 0, offsetof(submitted_payload_t, member), MPF_NO_FLAG}
static const mpf_field_t submitted_fields[] = {
    S("classification", classification), S("category", category), S("region", region), S("channel", channel),
    S("status", status),
    {"anonymous", MPF_BOOL, true, 0, offsetof(submitted_payload_t, anonymous), MPF_NO_FLAG},
    {"confidential", MPF_BOOL, true, 0, offsetof(submitted_payload_t, confidential), MPF_NO_FLAG},
    S("title", title), S("body", body), S("incident_date", incident_date), S("address", address),
    {"lat", MPF_DOUBLE, false, 0, offsetof(submitted_payload_t, lat), offsetof(submitted_payload_t, has_coordinates)},
    {"lon", MPF_DOUBLE, false, 0, offsetof(submitted_payload_t, lon), offsetof(submitted_payload_t, has_coordinates)},
    S("target_institution", target_institution), S("reporter_name", reporter_name),
};

static int fill_common(event_t *event, const char *type, uint32_t version, int64_t report_id, const char *tracking_id)
{
    char id[ENVELOPE_ID_MAX + 1];
    envelope_random_id(id);
    memset(event, 0, sizeof *event);
    event->id = strdup(id);
    event->type = strdup(type);
    event->version = version;
    event->report_id = report_id;
    event->tracking_id = strdup(tracking_id);
    event->actor_role = strdup("reporter");
    return event->id && event->type && event->tracking_id && event->actor_role ? 0 : -1;
}

int report_events_submitted(const report_submission_t *s, int64_t report_id, const char *tracking_id,
                            const char *status, event_t *event)
{
    bool content = !s->confidential;
    submitted_payload_t p = {
        .classification = s->classification, .category = s->category, .region = s->region, .channel = s->channel,
        .status = status, .anonymous = s->anonymous, .confidential = s->confidential,
        .title = content ? s->title : NULL, .body = content ? s->body : NULL, .incident_date = s->incident_date,
        .address = content ? s->address : NULL, .has_coordinates = content && s->has_coordinates,
        .lat = s->lat, .lon = s->lon, .target_institution = s->target_institution,
        .reporter_name = s->anonymous ? NULL : s->reporter_name,
    };
    if (fill_common(event, EVENT_REPORT_SUBMITTED, REPORT_SUBMITTED_VERSION, report_id, tracking_id) != 0
        || mpf_encode(submitted_fields, sizeof submitted_fields / sizeof submitted_fields[0], &p, &event->payload,
                      &event->payload_size) != 0) {
        event_clear(event);
        return -1;
    }
    return 0;
}
