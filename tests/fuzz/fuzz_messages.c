/* libFuzzer target: every msgpack decoder of common/ on the same bytes (those of
 * stats_query_codec.h have a target of their own, fuzz_stats_query.c). A decoder may refuse the
 * input, never crash, leak or read outside it (ASan/UBSan). */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "envelope.h"
#include "error_reply.h"
#include "event_codec.h"
#include "msgpack_fields.h"
#include "reference_codec.h"
#include "report_codec.h"
#include "report_step_codec.h"
#include "staff_query_codec.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char reason[256];
    envelope_t *envelope = envelope_decode(data, size, reason, sizeof reason);
    envelope_destroy(&envelope);
    report_submission_t submission;
    if (report_submission_decode(data, size, &submission, reason, sizeof reason) == 0)
        report_submission_clear(&submission);
    report_receipt_t receipt;
    if (report_receipt_decode(data, size, &receipt, reason, sizeof reason) == 0)
        report_receipt_clear(&receipt);
    report_lookup_t lookup;
    if (report_lookup_decode(data, size, &lookup, reason, sizeof reason) == 0)
        report_lookup_clear(&lookup);
    report_view_t view;
    if (report_view_decode(data, size, &view, reason, sizeof reason) == 0)
        report_view_clear(&view);
    reference_query_t query;
    if (reference_query_decode(data, size, &query, reason, sizeof reason) == 0)
        reference_query_clear(&query);
    reference_list_t list;
    if (reference_list_decode(data, size, &list, reason, sizeof reason) == 0)
        reference_list_clear(&list);
    error_reply_t error;
    error_reply_decode(data, size, &error, reason, sizeof reason);
    event_t event;
    if (event_decode(data, size, &event, reason, sizeof reason) == 0) {
        json_decref(event_to_json(&event));
        event_clear(&event);
    }
    event_batch_t batch;
    if (event_batch_decode(data, size, &batch, reason, sizeof reason) == 0)
        event_batch_clear(&batch);
    event_replay_request_t replay;
    if (event_replay_request_decode(data, size, &replay, reason, sizeof reason) == 0)
        event_replay_request_clear(&replay);
    report_step_t step;
    if (report_step_decode(data, size, &step, reason, sizeof reason) == 0)
        report_step_clear(&step);
    report_outcome_t outcome;
    if (report_outcome_decode(data, size, &outcome, reason, sizeof reason) == 0)
        report_outcome_clear(&outcome);
    staff_query_t staff_query;
    if (staff_query_decode(data, size, &staff_query, reason, sizeof reason) == 0)
        staff_query_clear(&staff_query);
    staff_document_t document;
    if (staff_document_decode(data, size, &document, reason, sizeof reason) == 0)
        staff_document_clear(&document);
    int64_t head, at;
    event_heartbeat_decode(data, size, &head, &at, reason, sizeof reason);
    return 0;
}
