#include "support_commands.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "error_reply.h"
#include "event_log.h"
#include "logger.h"
#include "report_events.h"
#include "secret_token.h"
#include "support_codec.h"

typedef struct {
    const support_request_t *request;
    support_count_t out;
} support_tx_t;

/* The report's id when it is on the public list (verified: until then its verifier may still make
 * it confidential), locked so that counts and events follow each other in order; 0 when it is not;
 * -1. The row is locked before the status is judged: locking through a join re-checks a row that
 * a concurrent step (routing) just moved against its old status row and drops it. */
static int64_t public_report(db_t *db, const char *tracking_id, db_error_t *error)
{
    const char *params[] = {tracking_id};
    PGresult *r = db_exec(db, "WITH locked AS (SELECT id, status, confidential FROM reports WHERE tracking_id = $1 "
                              "FOR UPDATE) "
                              "SELECT l.id FROM locked l JOIN report_statuses s ON s.status = l.status "
                              "WHERE NOT l.confidential "
                              "AND s.public_status IN ('not_yet_followed_up', 'in_process', 'completed')",
                          1, params, error);
    if (!r)
        return -1;
    int64_t id = PQntuples(r) == 1 ? strtoll(PQgetvalue(r, 0, 0), NULL, 10) : 0;
    PQclear(r);
    return id;
}

/* 0 with *added, -1. */
static int add_supporter(db_t *db, const char *report_id, const char *supporter, bool *added, db_error_t *error)
{
    char hash[SECRET_TOKEN_HASH_HEX_LEN + 1];
    secret_token_hash_hex(supporter, hash);
    const char *params[] = {report_id, hash};
    PGresult *r = db_exec(db, "INSERT INTO report_supports (report_id, supporter_hash) VALUES ($1::bigint, $2) "
                              "ON CONFLICT DO NOTHING", 2, params, error);
    if (!r)
        return -1;
    *added = strcmp(PQcmdTuples(r), "1") == 0;
    PQclear(r);
    return 0;
}

static int count_supporters(db_t *db, const char *report_id, uint32_t *count, db_error_t *error)
{
    const char *params[] = {report_id};
    PGresult *r = db_exec(db, "SELECT count(*) FROM report_supports WHERE report_id = $1::bigint", 1, params, error);
    if (!r)
        return -1;
    *count = (uint32_t) strtoul(PQgetvalue(r, 0, 0), NULL, 10);
    PQclear(r);
    return 0;
}

static int announce(db_t *db, int64_t report_id, const char *tracking_id, uint32_t count, db_error_t *error)
{
    event_t event;
    int built = report_events_supported(report_id, tracking_id, count, &event);
    return event_log_append_built(db, built, &event, error);
}

/* 0, 1 not on the public list, -1. */
static int support_tx(db_t *db, void *ctx, db_error_t *error)
{
    support_tx_t *tx = ctx;
    tx->out = (support_count_t) {0, false};
    int64_t id = public_report(db, tx->request->tracking_id, error);
    if (id <= 0)
        return id == 0 ? 1 : -1;
    char report_id[24];
    snprintf(report_id, sizeof report_id, "%lld", (long long) id);
    if (tx->request->supporter && add_supporter(db, report_id, tx->request->supporter, &tx->out.counted, error) != 0)
        return -1;
    if (count_supporters(db, report_id, &tx->out.supports, error) != 0)
        return -1;
    return tx->out.counted ? announce(db, id, tx->request->tracking_id, tx->out.supports, error) : 0;
}

int intake_report_support(void *ctx, const envelope_t *request, envelope_t *reply)
{
    intake_t *intake = ctx;
    support_request_t q;
    char reason[200];
    if (support_request_decode(request->body, request->body_size, &q, reason, sizeof reason) != 0)
        return error_reply_simple(reply, ERROR_BAD_MESSAGE, reason) == 0 ? 0 : -1;
    db_error_t error = {"", ""};
    support_tx_t tx = {&q, {0, false}};
    int rc = db_transaction(intake->db, support_tx, &tx, &error);
    unsigned char *body = NULL;
    size_t size = 0;
    if (rc < 0) {
        logger_error("database: %s %s", error.sqlstate, error.message);
        error_reply_simple(reply, db_error_is_retryable(&error) ? ERROR_UNAVAILABLE : ERROR_INTERNAL,
                           "the support could not be counted");
    } else if (rc == 1)
        error_reply_simple(reply, ERROR_NOT_FOUND, "no public report has this tracking id");
    else if (support_count_encode(&tx.out, &body, &size) != 0)
        error_reply_simple(reply, ERROR_INTERNAL, "the count could not be encoded");
    else {
        envelope_set_type(reply, MSG_REPORT_SUPPORT_COUNT);
        envelope_take_body(reply, body, size);
    }
    support_request_clear(&q);
    return 0;
}

int support_commands_register(cmd_server_t *server, intake_t *intake)
{
    return cmd_server_on(server, MSG_REPORT_SUPPORT, CURVE_ROLE_GATEWAY, intake_report_support, intake);
}
