#include "open311_commands.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "error_reply.h"
#include "logger.h"
#include "open311_query_codec.h"
#include "open311_store.h"
#include "report_rules.h"
#include "staff_query_codec.h"
#include "submission_keys.h"
#include "submission_seal.h"

/* [{"service_request_id", "token"}], or *json NULL when the token names nothing (yet). */
static int token_document(intake_t *intake, const char *token, char **json, db_error_t *error)
{
    char key[REPORT_COMMAND_KEY_MAX + 1], *tracking_id = NULL;
    snprintf(key, sizeof key, "%s%s", OPEN311_KEY_PREFIX, token);
    submission_seal_t seal;
    if (submission_seal_derive(intake->idempotency_secret, key, &seal) != 0)
        return -1;
    int rc = submission_keys_tracking_id(intake->db, seal.lookup, &tracking_id, error);
    submission_seal_wipe(&seal);
    *json = NULL;
    if (rc == 0 && tracking_id) {
        json_t *doc = json_pack("[{s:s, s:s}]", "service_request_id", tracking_id, "token", token);
        *json = doc ? json_dumps(doc, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
        rc = *json ? 0 : -1;
        json_decref(doc);
    }
    free(tracking_id);
    return rc;
}

/* 0 with *json, 1 when the thing asked for does not exist, 2 for an unknown kind, -1. */
static int render(intake_t *intake, const open311_query_t *q, char **json, db_error_t *error)
{
    if (strcmp(q->kind, "services") == 0)
        return open311_store_services(intake->db, json, error);
    if (strcmp(q->kind, "definition") == 0)
        return q->service_code ? open311_store_definition(intake->db, q->service_code, json, error) : 2;
    if (strcmp(q->kind, "requests") == 0)
        return open311_store_requests(intake->db, q, json, error);
    if (strcmp(q->kind, "updates") == 0)
        return open311_store_updates(intake->db, q, json, error);
    if (strcmp(q->kind, "update") == 0 && q->request_id)
        return open311_store_update_of(intake->db, q->request_id, json, error);
    if (strcmp(q->kind, "token") == 0 && q->token) {
        int rc = token_document(intake, q->token, json, error);
        return rc == 0 && !*json ? 1 : rc;
    }
    return 2;
}

static void answer(envelope_t *reply, int rc, char *json, const db_error_t *error)
{
    staff_document_t doc = {json};
    unsigned char *body = NULL;
    size_t size = 0;
    if (rc < 0) {
        logger_error("database: %s %s", error->sqlstate, error->message);
        error_reply_simple(reply, db_error_is_retryable(error) ? ERROR_UNAVAILABLE : ERROR_INTERNAL,
                           "the Open311 document could not be read");
    } else if (rc == 1)
        error_reply_simple(reply, ERROR_NOT_FOUND, "no such service definition, token or update");
    else if (rc == 2)
        error_reply_simple(reply, ERROR_INVALID, "unknown Open311 query");
    else if (staff_document_encode(&doc, &body, &size) != 0)
        error_reply_simple(reply, ERROR_INTERNAL, "the document could not be encoded");
    else {
        envelope_set_type(reply, MSG_STAFF_DOCUMENT);
        envelope_take_body(reply, body, size);
    }
}

int intake_open311_query(void *ctx, const envelope_t *request, envelope_t *reply)
{
    open311_query_t q;
    char reason[200], *json = NULL;
    if (open311_query_decode(request->body, request->body_size, &q, reason, sizeof reason) != 0)
        return error_reply_simple(reply, ERROR_BAD_MESSAGE, reason) == 0 ? 0 : -1;
    db_error_t error = {"", ""};
    int rc = render(ctx, &q, &json, &error);
    answer(reply, rc, json, &error);
    free(json);
    open311_query_clear(&q);
    return 0;
}

int open311_commands_register(cmd_server_t *server, intake_t *intake)
{
    return cmd_server_on(server, MSG_OPEN311_QUERY, CURVE_ROLE_GATEWAY, intake_open311_query, intake);
}
