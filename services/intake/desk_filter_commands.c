#include "desk_filter_commands.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "desk_filter_codec.h"
#include "desk_filter_store.h"
#include "error_reply.h"
#include "logger.h"
#include "staff_query_codec.h"

typedef int (desk_filter_fn)(db_t *db, const desk_filter_command_t *command, char **json, error_reply_t *refusal,
                             db_error_t *error);

static int list_filters(db_t *db, const desk_filter_command_t *command, char **json, error_reply_t *refusal,
                        db_error_t *error)
{
    (void) refusal;
    return desk_filter_store_list(db, command->staff_id, json, error);
}

static int save_filter(db_t *db, const desk_filter_command_t *command, char **json, error_reply_t *refusal,
                       db_error_t *error)
{
    if (!command->name || !command->filters)
        return error_reply_refuse(refusal, ERROR_BAD_MESSAGE, "a saved filter has a name and filters");
    return desk_filter_store_save(db, command->staff_id, command->name, command->filters, json, refusal, error);
}

static int delete_filter(db_t *db, const desk_filter_command_t *command, char **json, error_reply_t *refusal,
                         db_error_t *error)
{
    if (!command->has_id)
        return error_reply_refuse(refusal, ERROR_BAD_MESSAGE, "a delete names the saved filter's id");
    int rc = desk_filter_store_delete(db, command->staff_id, command->id, refusal, error);
    if (rc == 0 && !(*json = strdup("{}"))) {
        snprintf(error->message, sizeof error->message, "out of memory");
        return -1;
    }
    return rc;
}

static int answer(envelope_t *reply, int rc, char *json, const error_reply_t *refusal, const db_error_t *error)
{
    if (rc == 1)
        return error_reply_into(reply, refusal);
    if (rc < 0) {
        logger_error("saved desk filters: %s %s", error->sqlstate, error->message);
        return error_reply_simple(reply, db_error_is_retryable(error) ? ERROR_UNAVAILABLE : ERROR_INTERNAL,
                                  "the saved filters could not be read or stored; try again");
    }
    return staff_document_into(reply, json);
}

static int run(intake_t *intake, desk_filter_fn *fn, const envelope_t *request, envelope_t *reply)
{
    desk_filter_command_t command;
    char reason[256];
    if (desk_filter_command_decode(request->body, request->body_size, &command, reason, sizeof reason) != 0)
        return error_reply_simple(reply, ERROR_BAD_MESSAGE, reason);
    char *json = NULL;
    error_reply_t refusal;
    db_error_t error = {"", ""};
    int rc = fn(intake->db, &command, &json, &refusal, &error);
    rc = answer(reply, rc, json, &refusal, &error);
    free(json);
    desk_filter_command_clear(&command);
    return rc;
}

static int on_list(void *ctx, const envelope_t *request, envelope_t *reply)
{
    return run(ctx, list_filters, request, reply);
}

static int on_save(void *ctx, const envelope_t *request, envelope_t *reply)
{
    return run(ctx, save_filter, request, reply);
}

static int on_delete(void *ctx, const envelope_t *request, envelope_t *reply)
{
    return run(ctx, delete_filter, request, reply);
}

int desk_filter_commands_register(cmd_server_t *server, intake_t *intake)
{
    if (cmd_server_on(server, MSG_DESK_FILTER_LIST, CURVE_ROLE_GATEWAY, on_list, intake) != 0
        || cmd_server_on(server, MSG_DESK_FILTER_SAVE, CURVE_ROLE_GATEWAY, on_save, intake) != 0)
        return -1;
    return cmd_server_on(server, MSG_DESK_FILTER_DELETE, CURVE_ROLE_GATEWAY, on_delete, intake);
}
