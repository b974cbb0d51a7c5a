#include "config_command_server.h"

#include <stdlib.h>
#include <string.h>

#include "logger.h"
#include "staff_query_codec.h"

typedef struct {
    const config_command_t *command;
    config_command_fn *fn;
    char *json;
    error_reply_t refusal;
} config_job_t;

int config_command_done(int rc, char **json)
{
    if (rc != 0)
        return rc;
    return (*json = strdup("{}")) ? 0 : -1;
}

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
    return staff_document_into(reply, job->json);
}

static const config_command_handler_t *handler_for(const config_command_server_t *self, const char *type)
{
    for (size_t i = 0; i < self->count; i++)
        if (strcmp(self->handlers[i].type, type) == 0)
            return &self->handlers[i];
    return NULL;
}

static bool allowed(const config_command_handler_t *handler, const char *role)
{
    return strcmp(role, "national_admin") == 0
           || (handler->institution_admins && strcmp(role, "institution_admin") == 0);
}

static int on_command(void *ctx, const envelope_t *request, envelope_t *reply)
{
    const config_command_server_t *self = ctx;
    const config_command_handler_t *handler = handler_for(self, request->type);
    config_command_t command;
    char reason[256];
    if (!handler)
        return error_reply_simple(reply, ERROR_UNKNOWN_TYPE, request->type);
    if (config_command_decode(request->body, request->body_size, &command, reason, sizeof reason) != 0)
        return error_reply_simple(reply, ERROR_BAD_MESSAGE, reason);
    config_job_t job = {.command = &command, .fn = handler->fn};
    int rc;
    if (!allowed(handler, command.actor.role))
        rc = error_reply_simple(reply, ERROR_FORBIDDEN, self->forbidden);
    else {
        db_error_t error = {"", ""};
        int applied = db_transaction(self->db, run_tx, &job, &error);
        if (applied == 0 && handler->changes)
            logger_info("%s by %s", request->type, command.actor.username);
        rc = answer(reply, request->type, applied, &job, &error);
    }
    free(job.json);
    config_command_clear(&command);
    return rc;
}

int config_command_server_register(cmd_server_t *server, config_command_server_t *self)
{
    for (size_t i = 0; i < self->count; i++)
        if (cmd_server_on(server, self->handlers[i].type, CURVE_ROLE_GATEWAY, on_command, self) != 0)
            return -1;
    return 0;
}
