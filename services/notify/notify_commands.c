#include "notify_commands.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "delivery_store.h"
#include "error_reply.h"
#include "inbox_store.h"
#include "logger.h"
#include "notify_command_codec.h"
#include "staff_query_codec.h"
#include "webhook_store.h"

_Static_assert(NOTIFY_DELIVERY_ID_LEN == DELIVERY_ID_LEN, "the codec's delivery id is the store's");

/* Attempts a staff re-send gives a dead delivery. */
#define RESEND_ATTEMPTS 3

/* One command's work: 0 with the answer in *json, 1 refused (*refusal), -1 database error. */
typedef int (command_fn)(const notify_binding_t *on, const envelope_t *request, const notify_command_t *command,
                         const staff_member_t *who, char **json, error_reply_t *refusal, db_error_t *error);

static bool is_admin(const staff_member_t *who)
{
    return strcmp(who->role, "national_admin") == 0 || strcmp(who->role, "institution_admin") == 0;
}

/* "{}": the answer of commands the gateway turns into an empty 204. */
static int done(char **json)
{
    return (*json = strdup("{}")) ? 0 : -1;
}

static int register_webhook(const notify_binding_t *on, const envelope_t *request, const notify_command_t *c, const staff_member_t *who,
                            char **json, error_reply_t *refusal, db_error_t *error)
{
    if (!is_admin(who))
        return error_reply_refuse(refusal, ERROR_FORBIDDEN, "webhooks are managed by admins");
    webhook_registration_t reg = {.url = c->url, .institution = c->institution, .description = c->description,
                                  .request_id = request->id, .policy = on->policy};
    for (size_t i = 0; i < NOTIFY_EVENT_TYPES_MAX && c->event_types[i]; i++)
        reg.event_types[i] = c->event_types[i];
    int rc = webhook_store_register(on->db, &reg, who, json, refusal, error);
    if (rc == 0)
        logger_info("%s registered a webhook for %s", who->username, c->institution ? c->institution : who->institution);
    return rc;
}

static int list_webhooks(const notify_binding_t *on, const envelope_t *request, const notify_command_t *c, const staff_member_t *who,
                         char **json, error_reply_t *refusal, db_error_t *error)
{
    (void) request;
    (void) c;
    if (!is_admin(who))
        return error_reply_refuse(refusal, ERROR_FORBIDDEN, "webhooks are managed by admins");
    return webhook_store_list(on->db, who, json, error);
}

static int delete_webhook(const notify_binding_t *on, const envelope_t *request, const notify_command_t *c, const staff_member_t *who,
                          char **json, error_reply_t *refusal, db_error_t *error)
{
    (void) request;
    if (!is_admin(who))
        return error_reply_refuse(refusal, ERROR_FORBIDDEN, "webhooks are managed by admins");
    int rc = c->has_id && c->id > 0 ? webhook_store_disable(on->db, c->id, who, NULL, error) : 1;
    if (rc == 1)
        return error_reply_refuse(refusal, ERROR_NOT_FOUND, "no webhook of your subtree has this id");
    if (rc == 0)
        logger_info("%s removed webhook %lld", who->username, (long long) c->id);
    return rc == 0 ? done(json) : rc;
}

static int list_inbox(const notify_binding_t *on, const envelope_t *request, const notify_command_t *c, const staff_member_t *who,
                      char **json, error_reply_t *refusal, db_error_t *error)
{
    (void) request;
    (void) refusal;
    return inbox_store_list(on->db, who->id, c->unread_only, (int) c->limit, json, error);
}

static int read_inbox(const notify_binding_t *on, const envelope_t *request, const notify_command_t *c, const staff_member_t *who,
                      char **json, error_reply_t *refusal, db_error_t *error)
{
    (void) request;
    if (c->has_id && c->id <= 0)
        return error_reply_refuse(refusal, ERROR_NOT_FOUND, "no item of your inbox has this id");
    int rc = inbox_store_mark_read(on->db, who->id, c->has_id ? c->id : 0, error);
    if (rc == 1)
        return error_reply_refuse(refusal, ERROR_NOT_FOUND, "no item of your inbox has this id");
    return rc == 0 ? done(json) : rc;
}

static int list_deliveries(const notify_binding_t *on, const envelope_t *request, const notify_command_t *c, const staff_member_t *who,
                           char **json, error_reply_t *refusal, db_error_t *error)
{
    (void) request;
    (void) refusal;
    delivery_filter_t filter = {c->tracking_id, c->status, c->channel, c->has_id, c->id, (int) c->limit,
                                (int) c->offset};
    return delivery_store_list(on->db, who, &filter, json, error);
}

static int resend_delivery(const notify_binding_t *on, const envelope_t *request, const notify_command_t *c, const staff_member_t *who,
                           char **json, error_reply_t *refusal, db_error_t *error)
{
    if (!is_admin(who))
        return error_reply_refuse(refusal, ERROR_FORBIDDEN, "deliveries are re-sent by admins");
    if (!c->delivery_id)
        return error_reply_refuse(refusal, ERROR_NOT_FOUND, "no delivery of your subtree has this id");
    int rc = delivery_store_resend(on->db, who, c->delivery_id, request->id, RESEND_ATTEMPTS, json, refusal, error);
    if (rc == 0)
        logger_info("%s re-sent delivery %s", who->username, c->delivery_id);
    return rc;
}

static const struct {
    const char *type;
    command_fn *fn;
} commands[NOTIFY_COMMAND_COUNT] = {
    {MSG_WEBHOOK_REGISTER, register_webhook}, {MSG_WEBHOOK_LIST, list_webhooks},
    {MSG_WEBHOOK_DELETE, delete_webhook},     {MSG_INBOX_LIST, list_inbox},
    {MSG_INBOX_READ, read_inbox},             {MSG_DELIVERY_LIST, list_deliveries},
    {MSG_DELIVERY_RESEND, resend_delivery},
};

static void member_of(const notify_command_t *c, staff_member_t *who)
{
    memset(who, 0, sizeof *who);
    who->id = c->actor.id;
    snprintf(who->username, sizeof who->username, "%s", c->actor.username);
    snprintf(who->role, sizeof who->role, "%s", c->actor.role);
    snprintf(who->institution, sizeof who->institution, "%s", c->actor.institution);
}

static int answer(envelope_t *reply, int rc, char *json, const error_reply_t *refusal, const db_error_t *error)
{
    if (rc == 1)
        return error_reply_into(reply, refusal);
    if (rc < 0) {
        logger_error("database: %s %s", error->sqlstate, error->message);
        return error_reply_simple(reply, ERROR_UNAVAILABLE, "the database is not reachable; try again");
    }
    return staff_document_into(reply, json);
}

static int on_command(void *ctx, const envelope_t *request, envelope_t *reply)
{
    const notify_binding_t *binding = ctx;
    notify_command_t command;
    char reason[256];
    if (notify_command_decode(request->body, request->body_size, &command, reason, sizeof reason) != 0)
        return error_reply_simple(reply, ERROR_BAD_MESSAGE, reason);
    staff_member_t who;
    member_of(&command, &who);
    char *json = NULL;
    error_reply_t refusal;
    db_error_t error = {"", ""};
    int rc = commands[binding->index].fn(binding, request, &command, &who, &json, &refusal, &error);
    rc = answer(reply, rc, json, &refusal, &error);
    free(json);
    notify_command_clear(&command);
    return rc;
}

int notify_commands_register(cmd_server_t *server, notify_commands_t *self)
{
    for (size_t i = 0; i < NOTIFY_COMMAND_COUNT; i++) {
        self->bindings[i] = (notify_binding_t) {self->db, self->policy, i};
        if (cmd_server_on(server, commands[i].type, CURVE_ROLE_GATEWAY, on_command, &self->bindings[i]) != 0)
            return -1;
    }
    return 0;
}
