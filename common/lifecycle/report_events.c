#include "report_events.h"

#include <stdlib.h>
#include <string.h>

#include "envelope.h"
#include "msgpack_fields.h"
#include "report_lifecycle.h"

/* Codes only: a report's privacy may still change at verification, and an event can never be
 * taken back, so nothing the reporter wrote or who they are goes into it. */
typedef struct {
    const char *classification, *category, *region, *channel, *status, *target_institution;
    bool anonymous, confidential;
} submitted_payload_t;

#define S(key, member) {key, MPF_STR, false, 0, offsetof(submitted_payload_t, member), MPF_NO_FLAG}
static const mpf_field_t submitted_fields[] = {
    S("classification", classification), S("category", category), S("region", region), S("channel", channel),
    S("status", status), S("target_institution", target_institution),
    {"anonymous", MPF_BOOL, true, 0, offsetof(submitted_payload_t, anonymous), MPF_NO_FLAG},
    {"confidential", MPF_BOOL, true, 0, offsetof(submitted_payload_t, confidential), MPF_NO_FLAG},
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
    submitted_payload_t p = {
        .classification = s->classification, .category = s->category, .region = s->region, .channel = s->channel,
        .status = status, .target_institution = s->target_institution, .anonymous = s->anonymous,
        .confidential = s->confidential,
    };
    if (fill_common(event, EVENT_REPORT_SUBMITTED, REPORT_SUBMITTED_VERSION, report_id, tracking_id) != 0
        || mpf_encode(submitted_fields, sizeof submitted_fields / sizeof submitted_fields[0], &p, &event->payload,
                      &event->payload_size) != 0) {
        event_clear(event);
        return -1;
    }
    return 0;
}

#define T(key, member) {key, MPF_STR, false, 0, offsetof(report_transition_t, member), MPF_NO_FLAG}
#define TB(key, member) {key, MPF_BOOL, true, 0, offsetof(report_transition_t, member), MPF_NO_FLAG}
static const mpf_field_t transition_fields[] = {
    T("action", action), T("status", status), T("previous_status", previous_status),
    T("public_status", public_status), T("classification", classification), T("category", category),
    TB("field_supervision", field_supervision), TB("anonymous", anonymous), TB("confidential", confidential),
    T("institution", institution), T("previous_institution", previous_institution), T("reason_code", reason_code),
    T("duplicate_of", duplicate_of),
    T("note", note), T("attachment", attachment), T("title", title), T("body", body),
    T("incident_date", incident_date), T("address", address),
    {"lat", MPF_DOUBLE, false, 0, offsetof(report_transition_t, lat), offsetof(report_transition_t, has_coordinates)},
    {"lon", MPF_DOUBLE, false, 0, offsetof(report_transition_t, lon), offsetof(report_transition_t, has_coordinates)},
};

/* The one rule for content in a step's event: never for an internal note; otherwise only once the report's privacy is settled (it has
 * left the desk, lifecycle_privacy_settled) and only when it is not confidential. Before that, a
 * verifier may still make the report confidential, and an event cannot be taken back. */
static void keep_allowed_content(report_transition_t *p)
{
    bool internal = lifecycle_internal(lifecycle_rule(p->action));   /* its text is for staff in scope only */
    if (!internal && !p->confidential && lifecycle_privacy_settled(p->status))
        return;
    p->note = p->attachment = p->title = p->body = p->incident_date = p->address = NULL;
    p->has_coordinates = false;
}

/* Who acted and when, on top of fill_common. */
static int fill_origin(event_t *event, const char *type, uint32_t version, const report_event_origin_t *origin,
                       const char *institution)
{
    if (fill_common(event, type, version, origin->report_id, origin->tracking_id) != 0)
        return -1;
    free(event->actor_role);
    event->actor_role = strdup(origin->actor_role);
    event->actor_id = origin->actor_id ? strdup(origin->actor_id) : NULL;
    event->institution = institution ? strdup(institution) : NULL;
    event->occurred_at_ms = origin->at_ms;
    return event->actor_role && (event->actor_id || !origin->actor_id)
           && (event->institution || !institution) ? 0 : -1;
}

int report_events_transition(const report_transition_t *t, const report_event_origin_t *origin, event_t *event)
{
    report_transition_t p = *t;
    keep_allowed_content(&p);
    if (fill_origin(event, t->type, REPORT_TRANSITION_VERSION, origin, t->institution) != 0
        || mpf_encode(transition_fields, sizeof transition_fields / sizeof transition_fields[0], &p,
                      &event->payload, &event->payload_size) != 0) {
        event_clear(event);
        return -1;
    }
    return 0;
}

typedef struct {
    const char *deadline;
    int64_t due_at_ms;
    const char *status, *institution;
} deadline_payload_t;

static const mpf_field_t deadline_fields[] = {
    {"deadline", MPF_STR, true, 0, offsetof(deadline_payload_t, deadline), MPF_NO_FLAG},
    {"due_at", MPF_INT, true, 0, offsetof(deadline_payload_t, due_at_ms), MPF_NO_FLAG},
    {"status", MPF_STR, true, 0, offsetof(deadline_payload_t, status), MPF_NO_FLAG},
    {"institution", MPF_STR, false, 0, offsetof(deadline_payload_t, institution), MPF_NO_FLAG},
};

int report_events_deadline(const char *type, const char *deadline, int64_t due_at_ms, const char *status,
                           const char *institution, const report_event_origin_t *origin, event_t *event)
{
    deadline_payload_t p = {deadline, due_at_ms, status, institution};
    if (fill_origin(event, type, REPORT_DEADLINE_VERSION, origin, institution) != 0
        || mpf_encode(deadline_fields, sizeof deadline_fields / sizeof deadline_fields[0], &p,
                      &event->payload, &event->payload_size) != 0) {
        event_clear(event);
        return -1;
    }
    return 0;
}

typedef struct {
    bool enabled;
    const char *language;
} notifications_payload_t;

static const mpf_field_t notifications_fields[] = {
    {"enabled", MPF_BOOL, true, 0, offsetof(notifications_payload_t, enabled), MPF_NO_FLAG},
    {"language", MPF_STR, true, 0, offsetof(notifications_payload_t, language), MPF_NO_FLAG},
};

static const mpf_field_t supported_fields[] = {
    {"supports", MPF_UINT, true, 0, 0, MPF_NO_FLAG},
};

int report_events_supported(int64_t report_id, const char *tracking_id, uint32_t supports, event_t *event)
{
    char *public_role = strdup("public");
    if (fill_common(event, EVENT_REPORT_SUPPORTED, REPORT_SUPPORTED_VERSION, report_id, tracking_id) != 0 || !public_role
        || mpf_encode(supported_fields, sizeof supported_fields / sizeof supported_fields[0], &supports,
                      &event->payload, &event->payload_size) != 0) {
        free(public_role);
        event_clear(event);
        return -1;
    }
    free(event->actor_role);
    event->actor_role = public_role;
    return 0;
}

static const mpf_field_t attachment_added_fields[] = {
    {"number", MPF_UINT, true, 0, 0, MPF_NO_FLAG},
};

int report_events_attachment_added(int64_t report_id, const char *tracking_id, uint32_t number, event_t *event)
{
    if (fill_common(event, EVENT_ATTACHMENT_ADDED, REPORT_ATTACHMENT_ADDED_VERSION, report_id, tracking_id) != 0
        || mpf_encode(attachment_added_fields, sizeof attachment_added_fields / sizeof attachment_added_fields[0],
                      &number, &event->payload, &event->payload_size) != 0) {
        event_clear(event);
        return -1;
    }
    return 0;
}

int report_events_notifications(int64_t report_id, const char *tracking_id, bool enabled, const char *language,
                                event_t *event)
{
    notifications_payload_t p = {enabled, language};
    if (fill_common(event, EVENT_NOTIFICATIONS_CHANGED, REPORT_NOTIFICATIONS_VERSION, report_id, tracking_id) != 0
        || mpf_encode(notifications_fields, sizeof notifications_fields / sizeof notifications_fields[0], &p,
                      &event->payload, &event->payload_size) != 0) {
        event_clear(event);
        return -1;
    }
    return 0;
}
