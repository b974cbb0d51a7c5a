#include "intake_commands.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "attachment_commands.h"
#include "clock.h"
#include "db_array.h"
#include "error_reply.h"
#include "event_log.h"
#include "lifecycle_store.h"
#include "logger.h"
#include "reference_codec.h"
#include "reference_store.h"
#include "report_codec.h"
#include "report_events.h"
#include "report_privacy.h"
#include "report_rules.h"
#include "report_store.h"
#include "reporter_notifications.h"
#include "reporter_preferences_codec.h"
#include "secret_token.h"
#include "submission_keys.h"
#include "submission_seal.h"

/* One submission of a batch. Decoded, checked and keyed before the transaction; `pending` ones go
 * into it. What a transaction attempt fills (state, unknown codes, response, stored, sealed, event) is
 * reset at the start of each attempt. */
typedef struct {
    report_submission_t submission;
    submission_seal_t seal;
    char fingerprint[SUBMISSION_SEAL_HEX_LEN + 1];
    bool pending;
    bool storing;               /* a new report of this attempt, the first of its key in the batch */
    submission_key_state_t state;
    unsigned unknown_codes;     /* report_unknown_code_t: the codes naming nothing active */
    unsigned char *response;    /* the answer in clear, for the reply */
    size_t response_size;
    bool stored;                /* a new report of this attempt */
    report_stored_t report;
    unsigned char *sealed;      /* the answer as submission_keys keeps it */
    size_t sealed_size;
    event_t event;
    int rc;                     /* 0 a new report, 1 another answer, -1 failed (error) */
    db_error_t error;
} submit_item_t;

typedef struct {
    submit_item_t *items;
    size_t count;
    int64_t now_ms;
} submit_batch_t;

/* What was asked, independent of the key it was asked under. */
static int fingerprint_of(const report_submission_t *submission, const submission_seal_t *seal,
                          char out[SUBMISSION_SEAL_HEX_LEN + 1])
{
    report_submission_t copy = *submission;
    copy.idempotency_key = "";
    unsigned char *bytes = NULL;
    size_t size = 0;
    if (report_submission_encode(&copy, &bytes, &size) != 0)
        return -1;
    int rc = submission_seal_fingerprint(seal, bytes, size, out);
    free(bytes);
    return rc;
}

static void reset_attempt(submit_item_t *item)
{
    free(item->response);
    free(item->sealed);
    event_clear(&item->event);
    item->unknown_codes = 0;
    item->response = item->sealed = NULL;
    item->stored = item->storing = false;
    item->rc = 1;
}

/* The item earlier in the batch that stores a report under the same key, or NULL. */
static submit_item_t *earlier_with_key(submit_batch_t *batch, size_t index)
{
    for (size_t i = 0; i < index; i++)
        if (batch->items[i].storing && strcmp(batch->items[i].seal.lookup, batch->items[index].seal.lookup) == 0)
            return &batch->items[i];
    return NULL;
}

/* A key seen earlier in the same batch is answered as a later request would be: the first's
 * answer for the same request, a mismatch for another. */
static int answer_as_earlier(submit_item_t *item, const submit_item_t *earlier)
{
    item->state = strcmp(earlier->fingerprint, item->fingerprint) == 0 ? SUBMISSION_KEY_REPLAY
                                                                        : SUBMISSION_KEY_MISMATCH;
    if (item->state != SUBMISSION_KEY_REPLAY)
        return 0;
    if (!(item->response = malloc(earlier->response_size)))
        return -1;
    memcpy(item->response, earlier->response, earlier->response_size);
    item->response_size = earlier->response_size;
    return 0;
}

/* The stored report's receipt, its sealed copy and its event, in memory. */
static int answer_stored(submit_item_t *item, char *token)
{
    item->stored = true;
    item->rc = 0;
    report_receipt_t receipt = {item->report.tracking_id, token, REPORT_STATUS_SUBMITTED, item->report.submitted_at_ms};
    /* The answer goes into submission_keys only sealed; item->response keeps it in clear for the reply. */
    return report_receipt_encode(&receipt, &item->response, &item->response_size) == 0
                   && submission_seal_close(&item->seal, item->response, item->response_size, &item->sealed,
                                            &item->sealed_size) == 0
                   && report_events_submitted(&item->submission, item->report.id, item->report.tracking_id,
                                              REPORT_STATUS_SUBMITTED, &item->event) == 0
               ? 0 : -1;
}

static bool to_store(const submit_item_t *item)
{
    return item->pending && item->state == SUBMISSION_KEY_NEW && !item->unknown_codes;
}

/* The classifications of the pending submissions, each once, as an SQL array literal (malloc'd). */
static char *pending_classifications(const submit_batch_t *batch)
{
    db_array_t list = {0};
    for (size_t i = 0; i < batch->count; i++) {
        const submit_item_t *item = &batch->items[i];
        bool listed = !item->pending;
        for (size_t k = 0; k < i && !listed; k++)
            listed = batch->items[k].pending
                     && strcmp(batch->items[k].submission.classification, item->submission.classification) == 0;
        if (!listed)
            db_array_add(&list, item->submission.classification);
    }
    return db_array_take(&list);
}

/* What a batch's reads need, and their statements: the pending keys' claim (the claims in the
 * order of the pending items), their codes (submissions[i] for batch item i, NULL when it is not
 * pending) and the first clock's due time of their classifications. */
enum { READ_KEYS, READ_CODES = SUBMISSION_KEYS_CLAIM_STATEMENTS, READ_DUES, READ_STATEMENTS };
typedef struct {
    submission_claim_t *claims;
    size_t claim_count;
    const report_submission_t **submissions;
    unsigned *unknown;
    char *classifications;
    submission_keys_query_t keys;
    report_codes_query_t codes;
    lifecycle_dues_query_t dues;
    db_statement_t statements[READ_STATEMENTS];
} batch_reads_t;

static int batch_reads_build(batch_reads_t *reads, const submit_batch_t *batch)
{
    reads->claims = calloc(batch->count, sizeof *reads->claims);
    reads->submissions = calloc(batch->count, sizeof *reads->submissions);
    reads->unknown = calloc(batch->count, sizeof *reads->unknown);
    reads->classifications = pending_classifications(batch);
    if (!reads->claims || !reads->submissions || !reads->unknown || !reads->classifications)
        return -1;
    for (size_t i = 0; i < batch->count; i++)
        if (batch->items[i].pending) {
            reads->claims[reads->claim_count++] = (submission_claim_t) {
                .key_hash = batch->items[i].seal.lookup, .fingerprint = batch->items[i].fingerprint};
            reads->submissions[i] = &batch->items[i].submission;
        }
    lifecycle_store_new_clock_dues_query(REPORT_FIRST_CLOCK, reads->classifications, batch->now_ms, &reads->dues,
                                         &reads->statements[READ_DUES]);
    int keys = submission_keys_claim_query(reads->claims, reads->claim_count, &reads->keys,
                                           &reads->statements[READ_KEYS]);
    int codes = report_store_codes_query(reads->submissions, batch->count, &reads->codes,
                                         &reads->statements[READ_CODES]);
    return keys == 0 && codes == 0 ? 0 : -1;
}

static void batch_reads_clear(batch_reads_t *reads)
{
    for (size_t i = 0; i < reads->claim_count; i++)
        free(reads->claims[i].sealed);
    free(reads->claims);
    free(reads->submissions);
    free(reads->unknown);
    free(reads->classifications);
    submission_keys_query_clear(&reads->keys);
    report_store_codes_query_clear(&reads->codes);
}

/* Each pending item's key state (a replay's stored answer opened into item->response) and, for a
 * new one, its unknown codes. */
static int apply_reads(submit_batch_t *batch, batch_reads_t *reads, PGresult *const *answers, db_error_t *error)
{
    if (submission_keys_claim_read(reads->claims, reads->claim_count, &answers[READ_KEYS], error) != 0)
        return -1;
    report_store_codes_read(answers[READ_CODES], reads->submissions, reads->unknown, batch->count);
    size_t n = 0;
    for (size_t i = 0; i < batch->count; i++) {
        submit_item_t *item = &batch->items[i];
        if (!item->pending)
            continue;
        const submission_claim_t *claim = &reads->claims[n++];
        item->state = claim->state;
        item->unknown_codes = item->state == SUBMISSION_KEY_NEW ? reads->unknown[i] : 0;
        if (claim->state == SUBMISSION_KEY_REPLAY
            && submission_seal_open(&item->seal, claim->sealed, claim->sealed_size, &item->response,
                                    &item->response_size) != 0) {
            snprintf(error->message, sizeof error->message, "the stored answer of a key does not open");
            return -1;
        }
    }
    return 0;
}

/* The batch's reads in one round trip (db_exec_all, with the transaction's BEGIN): the keys
 * claimed, the codes checked, and the first clock's due time of each classification among the
 * pending submissions, returned (rows classification, due), or NULL with the error. */
static PGresult *read_batch(db_t *db, submit_batch_t *batch, db_error_t *error)
{
    batch_reads_t reads = {0};
    PGresult *answers[READ_STATEMENTS] = {NULL};
    int rc = batch_reads_build(&reads, batch);
    if (rc != 0)
        snprintf(error->message, sizeof error->message, "out of memory reading a batch");
    else
        rc = db_exec_all(db, reads.statements, READ_STATEMENTS, answers, error);
    if (rc == 0)
        rc = apply_reads(batch, &reads, answers, error);
    batch_reads_clear(&reads);
    for (int i = 0; i < READ_DUES; i++)
        PQclear(answers[i]);
    if (rc == 0)
        return answers[READ_DUES];
    PQclear(answers[READ_DUES]);
    return NULL;
}

static const char *due_of(const PGresult *dues, const char *classification)
{
    for (int row = 0; row < PQntuples(dues); row++)
        if (strcmp(PQgetvalue(dues, row, 0), classification) == 0)
            return PQgetvalue(dues, row, 1);
    return NULL;
}

/* What the new reports of the batch need besides themselves, one statement each: their keys'
 * answers, their events (DESIGN.md property 1: they commit with the reports or not at all), and
 * their verification clocks. The three go out with the COMMIT (db_defer), in its round trip; a
 * failure among them fails the commit, and commit_batch then tries each submission alone. */
static int store_batch_rows(db_t *db, submit_batch_t *batch, size_t stored, db_error_t *error)
{
    submission_record_t *records = calloc(stored, sizeof *records);
    event_t *events = calloc(stored, sizeof *events);
    db_array_t ids = {0}, classifications = {0};
    size_t n = 0;
    for (size_t i = 0; i < batch->count && records && events; i++) {
        const submit_item_t *item = &batch->items[i];
        if (!item->stored)
            continue;
        records[n] = (submission_record_t) {item->seal.lookup, item->fingerprint, item->report.id, item->sealed,
                                            item->sealed_size};
        events[n++] = item->event;
        db_array_add_int(&ids, item->report.id);
        db_array_add(&classifications, item->submission.classification);
    }
    char *id_list = db_array_take(&ids), *class_list = db_array_take(&classifications);
    int rc = records && events && id_list && class_list && db_defer(db, error) == 0
                     && lifecycle_store_next_due_written(db, true, error) == 0   /* inserted with their due times */
                     && submission_keys_record(db, records, n, error) == 0
                     && event_log_append_many(db, events, n, error) == 0
                     && lifecycle_store_open_new_clocks(db, id_list, class_list, REPORT_FIRST_CLOCK, batch->now_ms,
                                                        error) == 0
                 ? 0 : -1;
    free(records);
    free(events);   /* the events' contents stay with their items */
    free(id_list);
    free(class_list);
    return rc;
}

/* How a failed statement bears on the batch: the connection's trouble is retried whole (-1);
 * one submission's own trouble leaves it out (2); the rows of the whole batch failing make the
 * caller try the submissions one by one (3). */
static int batch_failure(db_t *db, submit_item_t *item, const db_error_t *error)
{
    if (db_error_is_retryable(error) || !db_is_connected(db))
        return -1;
    if (!item)
        return 3;
    item->pending = false;
    item->rc = -1;
    item->error = *error;
    return 2;
}

/* Every report the batch stores, in one statement; then each one's answer. On failure, *blamed is
 * the one submission at fault when it can be told, else NULL (the batch's). */
static int store_reports(db_t *db, submit_batch_t *batch, const PGresult *dues, size_t count,
                         submit_item_t **blamed, db_error_t *error)
{
    report_new_t *rows = calloc(count, sizeof *rows);
    char (*tokens)[SECRET_TOKEN_LEN + 1] = calloc(count, sizeof *tokens);
    char (*hashes)[SECRET_TOKEN_HASH_HEX_LEN + 1] = calloc(count, sizeof *hashes);
    submit_item_t **items = calloc(count, sizeof *items);
    int rc = rows && tokens && hashes && items ? 0 : -1;
    size_t n = 0;
    for (size_t i = 0; i < batch->count && rc == 0; i++) {
        submit_item_t *item = &batch->items[i];
        if (!item->storing)
            continue;
        rc = secret_token_generate(tokens[n]);
        secret_token_hash_hex(tokens[n], hashes[n]);
        rows[n] = (report_new_t) {.submission = &item->submission, .token_hash = hashes[n],
                                  .next_due_at = due_of(dues, item->submission.classification)};
        items[n++] = item;
    }
    *blamed = n == 1 ? items[0] : NULL;
    if (rc == 0)
        rc = report_store_insert_many(db, rows, n, error);
    else
        snprintf(error->message, sizeof error->message, "out of memory or randomness for new reports");
    for (size_t k = 0; k < n && rc == 0; k++) {
        items[k]->report = rows[k].stored;
        *blamed = items[k];
        if (answer_stored(items[k], tokens[k]) != 0) {
            snprintf(error->message, sizeof error->message, "out of memory answering a submission");
            rc = -1;
        }
    }
    if (tokens)
        sodium_memzero(tokens, count * sizeof *tokens);
    free(rows);
    free(tokens);
    free(hashes);
    free(items);
    return rc;
}

/* Every pending submission in one transaction, in a few statements for the whole batch. */
static int batch_tx(db_t *db, void *ctx, db_error_t *error)
{
    submit_batch_t *batch = ctx;
    for (size_t i = 0; i < batch->count; i++)
        if (batch->items[i].pending)
            reset_attempt(&batch->items[i]);
    PGresult *dues = read_batch(db, batch, error);
    if (!dues)
        return batch_failure(db, NULL, error);
    size_t storing = 0;
    for (size_t i = 0; i < batch->count; i++) {
        submit_item_t *item = &batch->items[i];
        item->storing = to_store(item) && !earlier_with_key(batch, i);
        storing += item->storing;
    }
    submit_item_t *blamed = NULL;
    int rc = storing ? store_reports(db, batch, dues, storing, &blamed, error) : 0;
    PQclear(dues);
    if (rc != 0)
        return batch_failure(db, blamed, error);
    for (size_t i = 0; i < batch->count; i++) {
        submit_item_t *item = &batch->items[i];
        if (to_store(item) && !item->storing && answer_as_earlier(item, earlier_with_key(batch, i)) != 0) {
            snprintf(error->message, sizeof error->message, "out of memory answering a submission");
            return batch_failure(db, item, error);
        }
    }
    if (storing && store_batch_rows(db, batch, storing, error) != 0)
        return batch_failure(db, NULL, error);
    return 0;
}

void intake_reply_database_error(envelope_t *reply, const db_error_t *error)
{
    logger_error("database: %s %s", error->sqlstate, error->message);
    if (db_error_is_retryable(error))
        error_reply_simple(reply, ERROR_UNAVAILABLE, "the database is not reachable; try again");
    else
        error_reply_simple(reply, ERROR_INTERNAL, "the report could not be stored");
}

void intake_reply_invalid(envelope_t *reply, const field_errors_t *errors)
{
    error_reply_t error;
    memset(&error, 0, sizeof error);
    snprintf(error.code, sizeof error.code, "%s", ERROR_INVALID);
    snprintf(error.detail, sizeof error.detail, "the report has %zu invalid field(s)", errors->count);
    error.fields = *errors;
    error_reply_into(reply, &error);
}

static void answer_item(envelope_t *reply, submit_item_t *item)
{
    if (item->rc < 0)
        intake_reply_database_error(reply, &item->error);
    else if (item->rc == 0 || item->state == SUBMISSION_KEY_REPLAY) {
        envelope_set_type(reply, MSG_REPORT_RECEIPT);
        envelope_take_body(reply, item->response, item->response_size);
        item->response = NULL;
    } else if (item->state == SUBMISSION_KEY_MISMATCH)
        error_reply_simple(reply, ERROR_IDEMPOTENCY_MISMATCH, "this idempotency key was used for a different report");
    else if (item->state == SUBMISSION_KEY_IN_FLIGHT)
        error_reply_simple(reply, ERROR_IN_FLIGHT, "a request with this idempotency key is being handled");
    else {
        field_errors_t errors;
        field_errors_clear(&errors);
        report_store_describe_unknown(&item->submission, item->unknown_codes, &errors);
        intake_reply_invalid(reply, &errors);
    }
    if (item->rc == 0)
        logger_info("report submitted (channel %s)", item->submission.channel);
}

/* What can be answered without the database is answered here; the rest waits for the batch. */
static void prepare_item(intake_t *intake, const envelope_t *request, envelope_t *reply, submit_item_t *item)
{
    char reason[200];
    field_errors_t errors;
    field_errors_clear(&errors);
    if (report_submission_decode(request->body, request->body_size, &item->submission, reason, sizeof reason) != 0) {
        memset(&item->submission, 0, sizeof item->submission);
        error_reply_simple(reply, ERROR_BAD_MESSAGE, reason);
    } else if (report_submission_check(&item->submission, &errors) > 0)
        intake_reply_invalid(reply, &errors);
    else if (submission_seal_derive(intake->idempotency_secret, item->submission.idempotency_key, &item->seal) != 0
             || fingerprint_of(&item->submission, &item->seal, item->fingerprint) != 0)
        error_reply_simple(reply, ERROR_INTERNAL, "the idempotency key could not be derived");
    else
        item->pending = true;
}

static void clear_item(submit_item_t *item)
{
    reset_attempt(item);
    submission_seal_wipe(&item->seal);
    report_submission_clear(&item->submission);
}

/* Runs the batch until it commits without the submissions that failed on their own; when the
 * batch's shared rows fail, each submission is tried alone. The pending ones that end failed get
 * rc -1 with the error. */
static void commit_batch(db_t *db, submit_batch_t *batch)
{
    db_error_t error = {"", ""};
    int rc = 2;
    for (size_t tries = 0; rc == 2 && tries <= batch->count; tries++)
        rc = db_transaction(db, batch_tx, batch, &error);
    /* batch_tx itself fails only with the connection's trouble; a failure that is not is one of the
     * batch's rows sent with the COMMIT (store_batch_rows), as a failure of the batch's statements. */
    if (rc == -1 && !db_error_is_retryable(&error) && db_is_connected(db))
        rc = 3;
    for (size_t i = 0; rc == 3 && batch->count > 1 && i < batch->count; i++) {
        submit_batch_t alone = {&batch->items[i], 1, batch->now_ms};
        if (batch->items[i].pending)
            commit_batch(db, &alone);
    }
    for (size_t i = 0; rc != 0 && !(rc == 3 && batch->count > 1) && i < batch->count; i++)
        if (batch->items[i].pending) {
            batch->items[i].rc = -1;
            batch->items[i].error = error;
        }
}

int intake_submit_batch(void *ctx, const envelope_t *const *requests, envelope_t *const *replies, size_t count)
{
    intake_t *intake = ctx;
    submit_batch_t batch = {calloc(count, sizeof *batch.items), count, clock_now_ms()};
    if (!batch.items)
        return -1;
    bool any = false;
    for (size_t i = 0; i < count; i++) {
        prepare_item(intake, requests[i], replies[i], &batch.items[i]);
        any = any || batch.items[i].pending;
    }
    /* Planning them was 0.4 to 3.5 ms of each submission (docs/performance.md). Prepared, three of
     * them (the codes' check, the first clock's due time and the clocks' insert) were still planned
     * in every batch, 1.4 ms a batch of 8: their arrays' generic estimate (ten elements) was dearer
     * than most batches' own, though the plan is the same. Generic plans for all: the codes' and
     * rules' tables are small, the clocks' insert does not read the reports, the others insert or
     * look up the submission keys, which ran on their generic plan already (auto). */
    db_error_t error;
    if (db_prepare_generic_plans(intake->submissions, &error) != 0)
        logger_warn("submissions are planned at every call until the next connection: %s", error.message);
    if (any)
        commit_batch(intake->submissions, &batch);
    for (size_t i = 0; i < count; i++) {
        if (batch.items[i].pending || batch.items[i].rc < 0)
            answer_item(replies[i], &batch.items[i]);
        clear_item(&batch.items[i]);
    }
    free(batch.items);
    return 0;
}

int intake_submit(void *ctx, const envelope_t *request, envelope_t *reply)
{
    envelope_t *const replies[] = {reply};
    return intake_submit_batch(ctx, &request, replies, 1);
}

static void answer_view(envelope_t *reply, report_view_t *view, const char *token, const char *hash)
{
    report_privacy_restrict(view, token && secret_token_matches(token, hash));
    unsigned char *body = NULL;
    size_t size = 0;
    if (report_view_encode(view, &body, &size) != 0) {
        error_reply_simple(reply, ERROR_INTERNAL, "the report could not be encoded");
        return;
    }
    envelope_set_type(reply, MSG_REPORT_VIEW);
    envelope_take_body(reply, body, size);
}

/* One report.get of those answered together. */
typedef struct {
    report_lookup_t lookup;
    bool decoded;
    char tracking_id[TRACKING_ID_LEN + 1];   /* normalized; the load asks for it when it is one */
} get_item_t;

static void prepare_lookup(const envelope_t *request, envelope_t *reply, get_item_t *item, report_load_t *load)
{
    char reason[200];
    if (report_lookup_decode(request->body, request->body_size, &item->lookup, reason, sizeof reason) != 0) {
        memset(&item->lookup, 0, sizeof item->lookup);
        error_reply_simple(reply, ERROR_BAD_MESSAGE, reason);
        return;
    }
    item->decoded = true;
    if (tracking_id_normalize(item->lookup.tracking_id, item->tracking_id) == 0)
        load->tracking_id = item->tracking_id;
}

static void answer_lookup(envelope_t *reply, const get_item_t *item, report_load_t *load, int rc,
                          const db_error_t *error)
{
    if (!item->decoded)
        return;
    if (rc < 0)
        intake_reply_database_error(reply, error);
    else if (!load->found)
        error_reply_simple(reply, ERROR_NOT_FOUND, "no report has this tracking id");
    else
        answer_view(reply, &load->view, item->lookup.reporter_token, load->token_hash);
}

int intake_get_batch(void *ctx, const envelope_t *const *requests, envelope_t *const *replies, size_t count)
{
    intake_t *intake = ctx;
    get_item_t *items = calloc(count, sizeof *items);
    report_load_t *loads = calloc(count, sizeof *loads);
    int rc = items && loads ? 0 : -1;
    for (size_t i = 0; i < count && rc == 0; i++)
        prepare_lookup(requests[i], replies[i], &items[i], &loads[i]);
    db_error_t error = {"", ""};
    if (rc == 0) {
        int loaded = report_store_load_many(intake->db, loads, count, &error);
        for (size_t i = 0; i < count; i++) {
            answer_lookup(replies[i], &items[i], &loads[i], loaded, &error);
            report_view_clear(&loads[i].view);
            report_lookup_clear(&items[i].lookup);
        }
    }
    free(loads);
    free(items);
    return rc;
}

int intake_get(void *ctx, const envelope_t *request, envelope_t *reply)
{
    envelope_t *const replies[] = {reply};
    return intake_get_batch(ctx, &request, replies, 1);
}

int intake_reference_list(void *ctx, const envelope_t *request, envelope_t *reply)
{
    intake_t *intake = ctx;
    reference_query_t query;
    reference_list_t list = {0, NULL};
    char reason[200];
    if (reference_query_decode(request->body, request->body_size, &query, reason, sizeof reason) != 0)
        return error_reply_simple(reply, ERROR_BAD_MESSAGE, reason) == 0 ? 0 : -1;
    db_error_t error = {"", ""};
    int rc = reference_store_list(intake->db, query.table, &list, &error);
    unsigned char *body = NULL;
    size_t size = 0;
    if (rc < 0)
        intake_reply_database_error(reply, &error);
    else if (rc > 0)
        error_reply_simple(reply, ERROR_INVALID, "unknown reference table");
    else if (reference_list_encode(&list, &body, &size) != 0)
        error_reply_simple(reply, ERROR_INTERNAL, "the list could not be encoded");
    else {
        envelope_set_type(reply, MSG_REFERENCE_ITEMS);
        envelope_take_body(reply, body, size);
    }
    reference_list_clear(&list);
    reference_query_clear(&query);
    return 0;
}

typedef struct {
    const reporter_preferences_t *asked;
    const char *tracking_id;           /* normalized */
    reporter_notifications_t now;
} preferences_tx_t;

static int preferences_tx(db_t *db, void *ctx, db_error_t *error)
{
    preferences_tx_t *tx = ctx;
    const reporter_preferences_t *asked = tx->asked;
    return reporter_notifications_set(db, tx->tracking_id, asked->reporter_token,
                                      asked->has_enabled ? &asked->enabled : NULL, asked->language, &tx->now, error);
}

static void answer_preferences(envelope_t *reply, char *tracking_id, reporter_notifications_t *now)
{
    reporter_preferences_set_t set = {tracking_id, now->enabled, now->language};
    unsigned char *body = NULL;
    size_t size = 0;
    if (reporter_preferences_set_encode(&set, &body, &size) != 0) {
        error_reply_simple(reply, ERROR_INTERNAL, "the answer could not be encoded");
        return;
    }
    envelope_set_type(reply, MSG_REPORT_NOTIFICATIONS_SET);
    envelope_take_body(reply, body, size);
}

int intake_notifications(void *ctx, const envelope_t *request, envelope_t *reply)
{
    intake_t *intake = ctx;
    reporter_preferences_t asked;
    char reason[200], tracking_id[TRACKING_ID_LEN + 1];
    if (reporter_preferences_decode(request->body, request->body_size, &asked, reason, sizeof reason) != 0)
        return error_reply_simple(reply, ERROR_BAD_MESSAGE, reason) == 0 ? 0 : -1;
    preferences_tx_t tx = {.asked = &asked, .tracking_id = tracking_id};
    db_error_t error = {"", ""};
    bool language_ok = !asked.language || strcmp(asked.language, "id") == 0 || strcmp(asked.language, "en") == 0;
    int rc;
    if (!language_ok)
        rc = 2;
    else if (tracking_id_normalize(asked.tracking_id, tracking_id) != 0)
        rc = 1;
    else
        rc = db_transaction(intake->db, preferences_tx, &tx, &error);
    if (rc < 0)
        intake_reply_database_error(reply, &error);
    else if (rc == 0)
        answer_preferences(reply, tracking_id, &tx.now);
    else if (rc == 1)   /* one answer for an unknown report and a wrong token */
        error_reply_simple(reply, ERROR_NOT_FOUND, "no report with this tracking id and reporter token");
    else
        error_reply_simple(reply, ERROR_INVALID, "language must be id or en");
    reporter_preferences_clear(&asked);
    return 0;
}

int intake_commands_register(cmd_server_t *server, intake_t *intake)
{
    /* Lookups first: batches run in the order registered, and a lookup that came with submissions
     * is answered before their commit rather than after it. */
    if (cmd_server_on_batch(server, MSG_REPORT_GET, CURVE_ROLE_GATEWAY, intake_get_batch, intake) != 0
        || cmd_server_on_batch(server, MSG_REPORT_SUBMIT, CURVE_ROLE_GATEWAY, intake_submit_batch, intake) != 0
        || cmd_server_on(server, MSG_REFERENCE_LIST, CURVE_ROLE_GATEWAY, intake_reference_list, intake) != 0
        || cmd_server_on(server, MSG_REPORT_NOTIFICATIONS, CURVE_ROLE_GATEWAY, intake_notifications, intake) != 0
        || cmd_server_on(server, MSG_ATTACHMENT_ADD, CURVE_ROLE_GATEWAY, intake_attachment_add, intake) != 0
        || cmd_server_on(server, MSG_ATTACHMENT_GET, CURVE_ROLE_GATEWAY, intake_attachment_get, intake) != 0)
        return -1;
    return 0;
}
