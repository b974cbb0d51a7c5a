#ifndef ADUAN_GATEWAY_REPORT_JSON_H
#define ADUAN_GATEWAY_REPORT_JSON_H
#include <jansson.h>
#include "field_errors.h"
#include "reference_codec.h"
#include "report_codec.h"

/* The JSON shapes of the API (docs/api.md, openapi.json) ↔ the typed messages. */

/* Reads a submission body. Every problem (wrong JSON type, unknown field, missing field, then the
 * rules of report_rules.h) becomes one field error; 0 when there are none. The caller sets
 * idempotency_key; channel defaults to "web". */
int report_json_to_submission(json_t *root, report_submission_t *out, field_errors_t *errors);

/* Answers. Absent (withheld) fields are left out, never sent as null. */
json_t *report_json_from_receipt(const report_receipt_t *receipt);
json_t *report_json_from_view(const report_view_t *view);
json_t *report_json_from_reference_list(const reference_list_t *list);

/* RFC 3339 UTC with milliseconds: 2026-11-24T01:02:03.456Z */
void report_json_time(int64_t ms, char out[32]);

#endif
