#ifndef ADUAN_REPORT_EVENTS_H
#define ADUAN_REPORT_EVENTS_H
#include <stdint.h>
#include "event_codec.h"
#include "report_codec.h"

/* The events of a report's life, built in one place so their payloads and their privacy rules are
 * the same wherever they are appended. Payloads carry no contact data ever, no reporter name when
 * the report is anonymous, and no content (title, body, address, coordinates) when confidential.
 *
 * report.submitted (v1): classification, category, region, channel, status, anonymous,
 * confidential, and when allowed title, body, incident_date, address, lat, lon,
 * target_institution, reporter_name. */
#define REPORT_SUBMITTED_VERSION 1

/* Fills *event (caller event_clear()s it). 0 on success. */
int report_events_submitted(const report_submission_t *submission, int64_t report_id, const char *tracking_id,
                            const char *status, event_t *event);

#endif
