#include "lifecycle_commands.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "error_reply.h"
#include "lifecycle_store.h"
#include "logger.h"
#include "report_lifecycle.h"
#include "report_step_codec.h"
#include "staff_views.h"

typedef struct {
    const report_step_t *step;
    lifecycle_context_t context;
    report_outcome_t outcome;
    error_reply_t refusal;
} act_tx_t;

static int act_tx(db_t *db, void *ctx, db_error_t *error)
{
    act_tx_t *tx = ctx;
    report_outcome_clear(&tx->outcome);
    return lifecycle_store_apply(db, tx->step, &tx->context, &tx->outcome, &tx->refusal, error);
}

/* Puts an encoded body into the reply (encoded: the encoder's return code, taken before the call:
 * the order in which arguments are evaluated is unspecified). */
static int answer(envelope_t *reply, const char *type, int encoded, unsigned char *body, size_t size)
{
    if (encoded != 0)
        return -1;
    envelope_set_type(reply, type);
    envelope_take_body(reply, body, size);
    return 0;
}

static int on_act(void *ctx, const envelope_t *request, envelope_t *reply)
{
    lifecycle_commands_t *commands = ctx;
    report_step_t step;
    char reason[256];
    if (report_step_decode(request->body, request->body_size, &step, reason, sizeof reason) != 0)
        return error_reply_simple(reply, ERROR_BAD_MESSAGE, reason);
    const lifecycle_rule_t *rule = lifecycle_rule(step.action);
    act_tx_t tx = {.step = &step, .context = {request->id, clock_now_ms()}};
    int rc;
    if (rule && strcmp(rule->service, commands->service) != 0) {
        snprintf(reason, sizeof reason, "%s is handled by %s, not %s", step.action, rule->service, commands->service);
        rc = error_reply_simple(reply, ERROR_INVALID, reason);
    } else {
        db_error_t error = {"", ""};
        int applied = db_transaction(commands->db, act_tx, &tx, &error);
        if (applied == 0) {
            logger_info("report %s: %s by %s → %s", step.tracking_id, step.action, step.actor_role, tx.outcome.status);
            unsigned char *body = NULL;
            size_t size = 0;
            int encoded = report_outcome_encode(&tx.outcome, &body, &size);
            rc = answer(reply, MSG_REPORT_OUTCOME, encoded, body, size);
        } else if (applied == 1)
            rc = error_reply_into(reply, &tx.refusal);
        else {
            logger_error("report %s: %s failed: %s", step.tracking_id, step.action, error.message);
            rc = error_reply_simple(reply, db_error_is_retryable(&error) ? ERROR_UNAVAILABLE : ERROR_INTERNAL,
                                    "the action could not be stored");
        }
    }
    report_outcome_clear(&tx.outcome);
    report_step_clear(&step);
    return rc;
}

typedef struct {
    const staff_query_t *query;
    char **json;
    error_reply_t *refusal;
} view_job_t;

static int view_tx(db_t *db, void *ctx, db_error_t *error)
{
    view_job_t *job = ctx;
    free(*job->json);   /* of an attempt whose commit failed */
    *job->json = NULL;
    return staff_views_render(db, job->query, job->json, job->refusal, error);
}

static int on_query(void *ctx, const envelope_t *request, envelope_t *reply)
{
    lifecycle_commands_t *commands = ctx;
    staff_query_t query;
    char reason[256];
    if (staff_query_decode(request->body, request->body_size, &query, reason, sizeof reason) != 0)
        return error_reply_simple(reply, ERROR_BAD_MESSAGE, reason);
    staff_document_t document = {NULL};
    error_reply_t refusal;
    db_error_t error = {"", ""};
    view_job_t job = {&query, &document.json, &refusal};
    int rc = db_bounded_transaction(commands->db, commands->statement_timeout_ms, view_tx, &job, &error);
    unsigned char *body = NULL;
    size_t size = 0;
    if (rc == 0) {
        int encoded = staff_document_encode(&document, &body, &size);
        rc = answer(reply, MSG_STAFF_DOCUMENT, encoded, body, size);
    }
    else if (rc == 1)
        rc = error_reply_into(reply, &refusal);
    else {
        logger_error("staff query %s failed: %s", query.view, error.message);
        rc = error_reply_simple(reply, ERROR_UNAVAILABLE, "the view could not be read");
    }
    staff_document_clear(&document);
    staff_query_clear(&query);
    return rc;
}

int lifecycle_commands_register(cmd_server_t *server, lifecycle_commands_t *commands)
{
    return cmd_server_on(server, MSG_REPORT_ACT, CURVE_ROLE_GATEWAY, on_act, commands) == 0
           && cmd_server_on(server, MSG_STAFF_QUERY, CURVE_ROLE_GATEWAY, on_query, commands) == 0 ? 0 : -1;
}
