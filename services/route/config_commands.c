#include "config_commands.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "config_command_codec.h"
#include "error_reply.h"
#include "holiday_store.h"
#include "logger.h"
#include "routing_rule_store.h"
#include "staff_query_codec.h"

/* One command's work inside its transaction: 0 with the answer in *json, 1 refused, -1 error. */
typedef int (config_fn)(db_t *db, const config_command_t *c, char **json, error_reply_t *refusal, db_error_t *error);

typedef struct {
    const config_command_t *command;
    config_fn *fn;
    char *json;
    error_reply_t refusal;
} config_job_t;

/* "{}": the answer of the removals, which the gateway turns into an empty 204. */
static int done(int rc, char **json)
{
    if (rc != 0)
        return rc;
    return (*json = strdup("{}")) ? 0 : -1;
}

static holiday_change_t holiday_of(const config_command_t *c)
{
    return (holiday_change_t) {c->day, c->name, c->kind, c->actor_role, c->actor_username};
}

static routing_rule_change_t rule_of(const config_command_t *c)
{
    return (routing_rule_change_t) {c->has_id ? c->id : 0, c->category, c->region, c->institution, c->actor_role,
                                    c->actor_username};
}

static int list_holidays(db_t *db, const config_command_t *c, char **json, error_reply_t *refusal, db_error_t *error)
{
    (void) c;
    (void) refusal;
    return holiday_store_list(db, json, error);
}

static int add_holiday(db_t *db, const config_command_t *c, char **json, error_reply_t *refusal, db_error_t *error)
{
    holiday_change_t change = holiday_of(c);
    return holiday_store_add(db, &change, json, refusal, error);
}

static int remove_holiday(db_t *db, const config_command_t *c, char **json, error_reply_t *refusal, db_error_t *error)
{
    holiday_change_t change = holiday_of(c);
    return done(holiday_store_remove(db, &change, refusal, error), json);
}

static int list_rules(db_t *db, const config_command_t *c, char **json, error_reply_t *refusal, db_error_t *error)
{
    (void) c;
    (void) refusal;
    return routing_rule_store_list(db, json, error);
}

static int add_rule(db_t *db, const config_command_t *c, char **json, error_reply_t *refusal, db_error_t *error)
{
    routing_rule_change_t change = rule_of(c);
    return routing_rule_store_add(db, &change, json, refusal, error);
}

static int remove_rule(db_t *db, const config_command_t *c, char **json, error_reply_t *refusal, db_error_t *error)
{
    routing_rule_change_t change = rule_of(c);
    return done(routing_rule_store_remove(db, &change, refusal, error), json);
}

static const struct {
    const char *type;
    config_fn *fn;
    bool changes;   /* logged when done */
} commands[] = {
    {MSG_HOLIDAY_LIST, list_holidays, false},   {MSG_HOLIDAY_ADD, add_holiday, true},
    {MSG_HOLIDAY_REMOVE, remove_holiday, true}, {MSG_ROUTING_RULE_LIST, list_rules, false},
    {MSG_ROUTING_RULE_ADD, add_rule, true},     {MSG_ROUTING_RULE_REMOVE, remove_rule, true},
};

static int run_tx(db_t *db, void *ctx, db_error_t *error)
{
    config_job_t *job = ctx;
    free(job->json);   /* of an attempt whose commit failed */
    job->json = NULL;
    return job->fn(db, job->command, &job->json, &job->refusal, error);
}

static int answer(envelope_t *reply, const char *type, int rc, config_job_t *job, const db_error_t *error)
{
    if (rc == 1)
        return error_reply_into(reply, &job->refusal);
    if (rc != 0) {
        logger_error("%s failed: %s %s", type, error->sqlstate, error->message);
        return error_reply_simple(reply, db_error_is_retryable(error) ? ERROR_UNAVAILABLE : ERROR_INTERNAL,
                                  "the change could not be stored");
    }
    staff_document_t document = {job->json};
    unsigned char *body = NULL;
    size_t size = 0;
    if (staff_document_encode(&document, &body, &size) != 0)
        return -1;
    envelope_set_type(reply, MSG_STAFF_DOCUMENT);
    envelope_take_body(reply, body, size);
    return 0;
}

static int on_command(void *ctx, const envelope_t *request, envelope_t *reply)
{
    db_t *db = ctx;
    config_command_t command;
    char reason[256];
    if (config_command_decode(request->body, request->body_size, &command, reason, sizeof reason) != 0)
        return error_reply_simple(reply, ERROR_BAD_MESSAGE, reason);
    config_job_t job = {.command = &command};
    bool changes = false;
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        if (strcmp(commands[i].type, request->type) == 0) {
            job.fn = commands[i].fn;
            changes = commands[i].changes;
        }
    int rc;
    if (strcmp(command.actor_role, "national_admin") != 0)
        rc = error_reply_simple(reply, ERROR_FORBIDDEN, "holidays and routing rules are edited by national admins");
    else {
        db_error_t error = {"", ""};
        int applied = db_transaction(db, run_tx, &job, &error);
        if (applied == 0 && changes)
            logger_info("%s by %s", request->type, command.actor_username);
        rc = answer(reply, request->type, applied, &job, &error);
    }
    free(job.json);
    config_command_clear(&command);
    return rc;
}

int config_commands_register(cmd_server_t *server, db_t *db)
{
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        if (cmd_server_on(server, commands[i].type, CURVE_ROLE_GATEWAY, on_command, db) != 0)
            return -1;
    return 0;
}
