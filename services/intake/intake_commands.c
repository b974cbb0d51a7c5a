#include "intake_commands.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "error_reply.h"
#include "event_log.h"
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

typedef struct {
    const report_submission_t *submission;
    const submission_seal_t *seal;
    const char *fingerprint;
    submission_key_state_t state;
    field_errors_t errors;
    unsigned char *response;
    size_t response_size;
} submit_tx_t;

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

/* The answer goes into submission_keys only sealed; tx->response keeps it in clear for the reply. */
static int record_answer(db_t *db, submit_tx_t *tx, int64_t report_id, db_error_t *error)
{
    unsigned char *sealed = NULL;
    size_t sealed_size = 0;
    if (submission_seal_close(tx->seal, tx->response, tx->response_size, &sealed, &sealed_size) != 0) {
        snprintf(error->message, sizeof error->message, "out of memory sealing the answer");
        return -1;
    }
    int rc = submission_keys_record(db, tx->seal->lookup, tx->fingerprint, report_id, sealed, sealed_size, error);
    free(sealed);
    return rc;
}

/* Claims the key; for a replay, opens the stored answer into tx->response. */
static int claim_key(db_t *db, submit_tx_t *tx, db_error_t *error)
{
    unsigned char *sealed = NULL;
    size_t sealed_size = 0;
    if (submission_keys_claim(db, tx->seal->lookup, tx->fingerprint, &tx->state, &sealed, &sealed_size, error) != 0)
        return -1;
    int rc = 0;
    if (tx->state == SUBMISSION_KEY_REPLAY
        && submission_seal_open(tx->seal, sealed, sealed_size, &tx->response, &tx->response_size) != 0) {
        snprintf(error->message, sizeof error->message, "the stored answer of a key does not open");
        rc = -1;
    }
    free(sealed);
    return rc;
}

static int store_new_report(db_t *db, submit_tx_t *tx, db_error_t *error)
{
    char token[SECRET_TOKEN_LEN + 1], hash[SECRET_TOKEN_HASH_HEX_LEN + 1];
    report_stored_t stored;
    if (secret_token_generate(token) != 0)
        return -1;
    secret_token_hash_hex(token, hash);
    if (report_store_insert(db, tx->submission, hash, &stored, error) != 0)
        return -1;
    report_receipt_t receipt = {stored.tracking_id, token, REPORT_STATUS_SUBMITTED, stored.submitted_at_ms};
    int rc = report_receipt_encode(&receipt, &tx->response, &tx->response_size);
    sodium_memzero(token, sizeof token);
    if (rc != 0)
        return -1;
    if (record_answer(db, tx, stored.id, error) != 0)
        return -1;
    /* The event commits with the report or not at all (DESIGN.md property 1). */
    event_t event;
    if (report_events_submitted(tx->submission, stored.id, stored.tracking_id, REPORT_STATUS_SUBMITTED, &event) != 0)
        return -1;
    rc = event_log_append(db, &event, error);
    event_clear(&event);
    return rc;
}

/* Inside the batch's transaction: claim the key, check the codes, store report, action and answer
 * together. Returns 1 (nothing written) when the answer is not a new report. */
static int submit_one(db_t *db, submit_tx_t *tx, db_error_t *error)
{
    free(tx->response);
    tx->response = NULL;
    field_errors_clear(&tx->errors);
    if (claim_key(db, tx, error) != 0)
        return -1;
    if (tx->state != SUBMISSION_KEY_NEW)
        return 1;
    if (report_store_check_codes(db, tx->submission, &tx->errors, error) != 0)
        return -1;
    if (tx->errors.count)
        return 1;
    return store_new_report(db, tx, error);
}

static void reply_database_error(envelope_t *reply, const db_error_t *error)
{
    logger_error("database: %s %s", error->sqlstate, error->message);
    if (db_error_is_retryable(error))
        error_reply_simple(reply, ERROR_UNAVAILABLE, "the database is not reachable; try again");
    else
        error_reply_simple(reply, ERROR_INTERNAL, "the report could not be stored");
}

static void reply_invalid(envelope_t *reply, const field_errors_t *errors)
{
    error_reply_t error;
    memset(&error, 0, sizeof error);
    snprintf(error.code, sizeof error.code, "%s", ERROR_INVALID);
    snprintf(error.detail, sizeof error.detail, "the report has %zu invalid field(s)", errors->count);
    error.fields = *errors;
    error_reply_into(reply, &error);
}

static void answer_submission(envelope_t *reply, int rc, submit_tx_t *tx, const db_error_t *error)
{
    if (rc < 0)
        reply_database_error(reply, error);
    else if (rc == 0 || tx->state == SUBMISSION_KEY_REPLAY) {
        envelope_set_type(reply, MSG_REPORT_RECEIPT);
        envelope_take_body(reply, tx->response, tx->response_size);
        tx->response = NULL;
    } else if (tx->state == SUBMISSION_KEY_MISMATCH)
        error_reply_simple(reply, ERROR_IDEMPOTENCY_MISMATCH, "this idempotency key was used for a different report");
    else if (tx->state == SUBMISSION_KEY_IN_FLIGHT)
        error_reply_simple(reply, ERROR_IN_FLIGHT, "a request with this idempotency key is being handled");
    else
        reply_invalid(reply, &tx->errors);
}

/* One submission of a batch: decoded and checked before the transaction; `rc` is submit_one's
 * answer for those that reach it, or -1 with `error` for one whose statements failed. */
typedef struct {
    report_submission_t submission;
    submission_seal_t seal;
    char fingerprint[SUBMISSION_SEAL_HEX_LEN + 1];
    submit_tx_t tx;
    bool pending;       /* decoded, valid, keyed: goes into the transaction */
    int rc;
    db_error_t error;
} submit_item_t;

typedef struct {
    submit_item_t *items;
    size_t count;
} submit_batch_t;

/* What can be answered without the database is answered here; the rest waits for the batch. */
static void prepare_item(intake_t *intake, const envelope_t *request, envelope_t *reply, submit_item_t *item)
{
    char reason[200];
    item->tx = (submit_tx_t) {.submission = &item->submission, .seal = &item->seal, .fingerprint = item->fingerprint};
    if (report_submission_decode(request->body, request->body_size, &item->submission, reason, sizeof reason) != 0) {
        memset(&item->submission, 0, sizeof item->submission);
        error_reply_simple(reply, ERROR_BAD_MESSAGE, reason);
    } else if (report_submission_check(&item->submission, &item->tx.errors) > 0)
        reply_invalid(reply, &item->tx.errors);
    else if (submission_seal_derive(intake->idempotency_secret, item->submission.idempotency_key, &item->seal) != 0
             || fingerprint_of(&item->submission, &item->seal, item->fingerprint) != 0)
        error_reply_simple(reply, ERROR_INTERNAL, "the idempotency key could not be derived");
    else
        item->pending = true;
}

/* Every pending submission in one transaction. A statement of one submission that fails for a
 * reason of its own (not the connection's) leaves that one out: the transaction rolls back (2)
 * and the caller runs it again without it, so one bad submission never fails the others. */
static int batch_tx(db_t *db, void *ctx, db_error_t *error)
{
    submit_batch_t *batch = ctx;
    for (size_t i = 0; i < batch->count; i++) {
        submit_item_t *item = &batch->items[i];
        if (!item->pending)
            continue;
        memset(&item->error, 0, sizeof item->error);
        item->rc = submit_one(db, &item->tx, &item->error);
        if (item->rc >= 0)
            continue;
        *error = item->error;
        if (db_error_is_retryable(&item->error) || !db_is_connected(db))
            return -1;
        item->pending = false;
        return 2;
    }
    return 0;
}

static void answer_item(envelope_t *reply, submit_item_t *item)
{
    answer_submission(reply, item->rc, &item->tx, &item->error);
    if (item->rc == 0)
        logger_info("report submitted (channel %s)", item->submission.channel);
}

static void clear_item(submit_item_t *item)
{
    submission_seal_wipe(&item->seal);
    free(item->tx.response);
    report_submission_clear(&item->submission);
}

/* Runs the batch until it commits without the submissions that failed on their own; -1 with
 * `error` when the database failed them all. */
static int commit_batch(db_t *db, submit_batch_t *batch, db_error_t *error)
{
    int rc = 2;
    for (size_t tries = 0; rc == 2 && tries <= batch->count; tries++)
        rc = db_transaction(db, batch_tx, batch, error);
    return rc;
}

int intake_submit_batch(void *ctx, const envelope_t *const *requests, envelope_t *const *replies, size_t count)
{
    intake_t *intake = ctx;
    submit_batch_t batch = {calloc(count, sizeof *batch.items), count};
    if (!batch.items)
        return -1;
    bool any = false;
    for (size_t i = 0; i < count; i++) {
        prepare_item(intake, requests[i], replies[i], &batch.items[i]);
        any = any || batch.items[i].pending;
    }
    db_error_t error = {"", ""};
    int rc = any ? commit_batch(intake->db, &batch, &error) : 0;
    for (size_t i = 0; i < count; i++) {
        submit_item_t *item = &batch.items[i];
        if (item->pending && rc != 0) {   /* the whole transaction failed: nothing of it is stored */
            item->rc = -1;
            item->error = error;
        }
        if (item->pending || item->rc < 0)
            answer_item(replies[i], item);
        clear_item(item);
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

int intake_get(void *ctx, const envelope_t *request, envelope_t *reply)
{
    intake_t *intake = ctx;
    report_lookup_t lookup;
    char reason[200], tracking_id[TRACKING_ID_LEN + 1], hash[65] = "";
    if (report_lookup_decode(request->body, request->body_size, &lookup, reason, sizeof reason) != 0)
        return error_reply_simple(reply, ERROR_BAD_MESSAGE, reason) == 0 ? 0 : -1;
    report_view_t view;
    memset(&view, 0, sizeof view);
    db_error_t error = {"", ""};
    int rc = tracking_id_normalize(lookup.tracking_id, tracking_id) == 0
                 ? report_store_load(intake->db, tracking_id, &view, hash, &error) : 1;
    if (rc < 0)
        reply_database_error(reply, &error);
    else if (rc > 0)
        error_reply_simple(reply, ERROR_NOT_FOUND, "no report has this tracking id");
    else
        answer_view(reply, &view, lookup.reporter_token, hash);
    report_view_clear(&view);
    report_lookup_clear(&lookup);
    return 0;
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
        reply_database_error(reply, &error);
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
        reply_database_error(reply, &error);
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
    if (cmd_server_on_batch(server, MSG_REPORT_SUBMIT, CURVE_ROLE_GATEWAY, intake_submit_batch, intake) != 0
        || cmd_server_on(server, MSG_REPORT_GET, CURVE_ROLE_GATEWAY, intake_get, intake) != 0
        || cmd_server_on(server, MSG_REFERENCE_LIST, CURVE_ROLE_GATEWAY, intake_reference_list, intake) != 0
        || cmd_server_on(server, MSG_REPORT_NOTIFICATIONS, CURVE_ROLE_GATEWAY, intake_notifications, intake) != 0)
        return -1;
    return 0;
}
