#include "stats_queries.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd_server.h"
#include "error_reply.h"
#include "logger.h"
#include "service.h"
#include "stats_answer.h"
#include "stats_facts.h"
#include "stats_query_codec.h"
#include "stats_warmer.h"
#include "survey_codes.h"
#include "survey_store.h"

_Static_assert(SURVEY_ANSWER_ELEMENTS == SURVEY_ELEMENTS, "a survey.answer carries every element of the survey");

#define CONNECT_WAIT_MS 10000
#define DB_UNAVAILABLE "the database is not reachable; try again"
/* The dashboard asks some twenty documents; staff add theirs. Exports are up to 1 MB. */
#define CACHE_ENTRIES 64
#define CACHE_BYTES (32 * 1024 * 1024)
/* A document nobody asked for in this long is not computed again after each run of events. */
#define WARM_RECENT_MS (10 * 60 * 1000)

struct stats_queries_t {
    cmd_server_t *server;
    db_t *db;
    long statement_timeout_ms;
    int64_t max_age_ms;
    stats_cache_t *cache;
    stats_warmer_t *warmer;
    pthread_t thread;
    atomic_bool stopping;       /* the service stops for another reason than a signal */
};

/* Puts the document (taken) into the reply. */
static int send_document(envelope_t *reply, char *json)
{
    if (strlen(json) > STATS_DOCUMENT_MAX) {
        free(json);
        return error_reply_simple(reply, ERROR_INVALID,
                                  "the selection is too large for one document; narrow the filter");
    }
    stats_document_t document = {json};
    unsigned char *body = NULL;
    size_t size = 0;
    int encoded = stats_document_encode(&document, &body, &size);
    stats_document_clear(&document);
    if (encoded != 0 || envelope_set_type(reply, MSG_STATS_DOCUMENT) != 0) {
        free(body);
        return -1;
    }
    envelope_take_body(reply, body, size);
    return 0;
}

static int on_query(void *ctx, const envelope_t *request, envelope_t *reply)
{
    stats_queries_t *self = ctx;
    stats_query_t q;
    char reason[256] = "the message is not version 1";
    if (request->version != STATS_QUERY_VERSION || stats_query_decode(request->body, request->body_size, &q, reason,
                                                                       sizeof reason) != 0)
        return error_reply_simple(reply, ERROR_BAD_MESSAGE, reason);
    db_error_t error = {"", ""};
    error_reply_t refusal;
    char *json = NULL;
    int done = stats_answer(self->db, self->statement_timeout_ms, self->cache, self->max_age_ms, &q, request->body,
                            request->body_size, &json, &refusal, &error);
    int rc;
    if (done == 0)
        rc = send_document(reply, json);
    else if (done == 1)
        rc = error_reply_into(reply, &refusal);
    else {
        logger_warn("stats query %s failed: %s", q.view, error.message);
        rc = error_reply_simple(reply, ERROR_UNAVAILABLE, DB_UNAVAILABLE);
    }
    stats_query_clear(&q);
    return rc;
}

static int send_recorded(envelope_t *reply, const char *respondent)
{
    char *copy = strdup(respondent);
    survey_recorded_t recorded = {copy};
    unsigned char *body = NULL;
    size_t size = 0;
    int encoded = copy ? survey_recorded_encode(&recorded, &body, &size) : -1;
    survey_recorded_clear(&recorded);
    if (encoded != 0 || envelope_set_type(reply, MSG_SURVEY_RECORDED) != 0) {
        free(body);
        return -1;
    }
    envelope_take_body(reply, body, size);
    return 0;
}

static int on_answer(void *ctx, const envelope_t *request, envelope_t *reply)
{
    stats_queries_t *self = ctx;
    survey_answer_t a;
    char reason[256] = "the message is not version 1";
    if (request->version != STATS_QUERY_VERSION || survey_answer_decode(request->body, request->body_size, &a, reason,
                                                                        sizeof reason) != 0)
        return error_reply_simple(reply, ERROR_BAD_MESSAGE, reason);
    int answers[SURVEY_ELEMENTS];
    for (int i = 0; i < SURVEY_ELEMENTS; i++)
        answers[i] = (int) a.answers[i];
    db_error_t error = {"", ""};
    error_reply_t refusal;
    bool reporter = a.tracking_id != NULL;
    const char *respondent = reporter ? "reporter" : "service_user";
    int stored;
    if (reporter)
        stored = survey_store_reporter(self->db, request->id, a.tracking_id, a.reporter_token, answers, &refusal,
                                       &error);
    else
        stored = survey_store_service_user(self->db, request->id, a.institution, a.code, answers, &refusal, &error);
    survey_answer_clear(&a);
    if (stored == 1)
        return error_reply_into(reply, &refusal);
    if (stored < 0) {
        logger_warn("survey answer (%s) failed: %s", respondent, error.message);
        return error_reply_simple(reply, ERROR_UNAVAILABLE, DB_UNAVAILABLE);
    }
    logger_info("survey answered (%s)", respondent);
    return send_recorded(reply, respondent);
}

static int on_codes(void *ctx, const envelope_t *request, envelope_t *reply)
{
    stats_queries_t *self = ctx;
    survey_codes_t ask;
    char reason[256] = "the message is not version 1";
    if (request->version != STATS_QUERY_VERSION || survey_codes_decode(request->body, request->body_size, &ask, reason,
                                                                       sizeof reason) != 0)
        return error_reply_simple(reply, ERROR_BAD_MESSAGE, reason);
    db_error_t error = {"", ""};
    error_reply_t refusal;
    char *json = NULL;
    int done = survey_codes_issue(self->db, request->id, &ask, &json, &refusal, &error);
    if (done == 0)
        logger_info("%s issued %u survey codes for %s", ask.actor_id, (unsigned) ask.count, ask.institution);
    survey_codes_clear(&ask);
    if (done == 0)
        return send_document(reply, json);
    if (done == 1)
        return error_reply_into(reply, &refusal);
    logger_warn("issuing survey codes failed: %s", error.message);
    return error_reply_simple(reply, ERROR_UNAVAILABLE, DB_UNAVAILABLE);
}

static int rebuild_tx(db_t *db, void *ctx, db_error_t *error)
{
    int64_t *read = ctx;
    *read = stats_facts_rebuild(db, error);
    return *read < 0 ? -1 : 0;
}

/* Recounting is idempotent (the facts are emptied and counted again), so a resent request just
 * counts once more; the stats members wait for the transaction and go on after it. */
static int on_rebuild(void *ctx, const envelope_t *request, envelope_t *reply)
{
    stats_queries_t *self = ctx;
    stats_rebuild_t asked;
    char reason[256] = "the message is not version 1";
    if (request->version != STATS_QUERY_VERSION
        || stats_rebuild_decode(request->body, request->body_size, &asked, reason, sizeof reason) != 0)
        return error_reply_simple(reply, ERROR_BAD_MESSAGE, reason);
    logger_info("rebuilding the statistics from the event log (asked by %s)",
                asked.requested_by ? asked.requested_by : "an operator");
    stats_rebuild_clear(&asked);
    stats_rebuilt_t done = {0};
    db_error_t error = {"", ""};
    if (db_transaction(self->db, rebuild_tx, &done.events, &error) != 0) {
        logger_warn("rebuilding the statistics failed: %s", error.message);
        return error_reply_simple(reply, ERROR_UNAVAILABLE, error.message);
    }
    logger_info("statistics rebuilt from %lld events", (long long) done.events);
    unsigned char *body = NULL;
    size_t size = 0;
    if (stats_rebuilt_encode(&done, &body, &size) != 0 || envelope_set_type(reply, MSG_STATS_REBUILT) != 0) {
        free(body);
        return -1;
    }
    envelope_take_body(reply, body, size);
    return 0;
}

static void *serve(void *arg)
{
    stats_queries_t *self = arg;
    zpoller_t *poller = zpoller_new(cmd_server_socket(self->server), NULL);
    if (!poller) {
        logger_error("the query server cannot poll its socket");
        return NULL;
    }
    while (!service_interrupted() && !atomic_load(&self->stopping)) {
        if (zpoller_wait(poller, 100) && cmd_server_handle_one(self->server) != 0)
            break;
        if (zpoller_terminated(poller))
            break;
    }
    zpoller_destroy(&poller);
    return NULL;
}

static void destroy(stats_queries_t *self)
{
    stats_warmer_stop(&self->warmer);
    stats_cache_destroy(&self->cache);
    cmd_server_destroy(&self->server);
    db_destroy(&self->db);
    free(self);
}

stats_queries_t *stats_queries_start(const char *bind_endpoints, curve_keys_t *keys, const char *db_url,
                                     long statement_timeout_ms, long max_age_s, long warm_every_s, char *reason,
                                     size_t cap)
{
    stats_queries_t *self = calloc(1, sizeof *self);
    db_error_t error = {"", ""};
    if (!self || !(self->db = db_new(db_url)) || !(self->cache = stats_cache_new(CACHE_ENTRIES, CACHE_BYTES))) {
        snprintf(reason, cap, "out of memory");
        if (self)
            destroy(self);
        return NULL;
    }
    self->statement_timeout_ms = statement_timeout_ms;
    self->max_age_ms = (int64_t) max_age_s * 1000;
    if (db_connect(self->db, CONNECT_WAIT_MS, &error) != 0)
        snprintf(reason, cap, "query server: %s", error.message);
    else if ((self->warmer = stats_warmer_start(self->cache, db_url, statement_timeout_ms, WARM_RECENT_MS,
                                                (int64_t) warm_every_s * 1000, reason, cap))
             && (self->server = cmd_server_new(bind_endpoints, keys, reason, cap))) {
        if (cmd_server_on(self->server, MSG_STATS_QUERY, CURVE_ROLE_GATEWAY, on_query, self) == 0
            && cmd_server_on(self->server, MSG_SURVEY_ANSWER, CURVE_ROLE_GATEWAY, on_answer, self) == 0
            && cmd_server_on(self->server, MSG_SURVEY_CODES, CURVE_ROLE_GATEWAY, on_codes, self) == 0
            && cmd_server_on(self->server, MSG_STATS_REBUILD, CURVE_ROLE_ADMIN, on_rebuild, self) == 0
            && pthread_create(&self->thread, NULL, serve, self) == 0)
            return self;
        snprintf(reason, cap, "cannot start the query server");
    }
    destroy(self);
    return NULL;
}

void stats_queries_stop(stats_queries_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    atomic_store(&(*self_p)->stopping, true);
    pthread_join((*self_p)->thread, NULL);
    destroy(*self_p);
    *self_p = NULL;
}
