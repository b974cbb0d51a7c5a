#ifndef ADUAN_REPORT_EVENTS_H
#define ADUAN_REPORT_EVENTS_H
#include "message_types.h"
#include <stdint.h>
#include "event_codec.h"
#include "report_codec.h"

/* The events of a report's life, built in one place so their payloads and their privacy rules are
 * the same wherever they are appended. Events are never taken back, while a verifier may still
 * make a report anonymous or confidential: so no payload ever carries the reporter's identity or
 * contact data, and content (what the reporter or staff wrote) appears only once the report's
 * privacy is settled (lifecycle_privacy_settled) and the report is not confidential.
 *
 * report.submitted (v2): codes only — classification, category, region, channel, status,
 * anonymous, confidential, and when named target_institution. */
#define REPORT_SUBMITTED_VERSION 2

/* Fills *event (caller event_clear()s it). 0 on success. */
int report_events_submitted(const report_submission_t *submission, int64_t report_id, const char *tracking_id,
                            const char *status, event_t *event);

/* The events of every later step (report.verified, .postponed, .archived, .data_added,
 * .reporter_replied, .dispatched, .transferred, .followed_up, .closed, .reopened), v2:
 * action, status, previous_status, public_status, classification, category, field_supervision,
 * anonymous, confidential, and when present institution, reason_code, duplicate_of; content only
 * when settled and not confidential: note, attachment, and in report.verified the report's
 * title, body, incident_date, address, lat, lon. */
#define REPORT_TRANSITION_VERSION 2

typedef struct {
    const char *type;              /* event type from the lifecycle rule */
    const char *action, *status, *previous_status, *public_status;
    const char *classification, *category;
    bool field_supervision, anonymous, confidential;
    const char *institution, *reason_code, *duplicate_of;
    /* the holder before the step, when the step gave the report to another institution: the
     * giver's staff are told it left them (a transfer goes outside their subtree) */
    const char *previous_institution;
    /* content: dropped unless the report's privacy is settled and it is not confidential */
    const char *note, *attachment;
    const char *title, *body, *incident_date, *address;   /* the report's own: report.verified only */
    bool has_coordinates;
    double lat, lon;
} report_transition_t;

typedef struct {
    int64_t report_id;
    const char *tracking_id;
    const char *actor_role, *actor_id;       /* actor_id NULL for reporters and the system */
    int64_t at_ms;
} report_event_origin_t;

int report_events_transition(const report_transition_t *transition, const report_event_origin_t *origin,
                             event_t *event);

/* The events of a deadline clock (v1): deadline (verification | follow_up | resolution |
 * reporter_reply), due_at (ms), status, and the institution whose clock it was (absent for
 * verification at the national desk). Each is appended exactly once per clock:
 * report.deadline_missed when a clock runs out, report.closing_soon when the reporter's time to
 * answer a follow-up is nearly over (the report closes by itself at due_at). */
#define REPORT_DEADLINE_VERSION 1

/* report.notifications_changed (v1): enabled, language — what the reporter now wants to hear
 * about the report. The reporter's own setting: nothing about who they are or how to reach them,
 * and nobody is notified of it (fanout.c). */
#define REPORT_NOTIFICATIONS_VERSION 1

int report_events_notifications(int64_t report_id, const char *tracking_id, bool enabled, const char *language,
                                event_t *event);

/* report.supported (v1): supports — the report's count after one more person supported it
 * ("dukung"). The actor is "public": nothing about who supported; nobody is notified of it. */
#define REPORT_SUPPORTED_VERSION 1

int report_events_supported(int64_t report_id, const char *tracking_id, uint32_t supports, event_t *event);

/* report.attachment_added (v1): number — the photo's or PDF's number on the report (1 to 5). The
 * reporter added it; nothing of the file itself. Every change to what GET tracking shows is an
 * event, so a gateway's kept view of the report ends with it (tracking_cache.h). Nobody is
 * notified of it. */
#define REPORT_ATTACHMENT_ADDED_VERSION 1

int report_events_attachment_added(int64_t report_id, const char *tracking_id, uint32_t number, event_t *event);

int report_events_deadline(const char *type, const char *deadline, int64_t due_at_ms, const char *status,
                           const char *institution, const report_event_origin_t *origin, event_t *event);

#endif
