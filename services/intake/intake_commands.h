#ifndef ADUAN_INTAKE_COMMANDS_H
#define ADUAN_INTAKE_COMMANDS_H
#include "cmd_server.h"
#include "db.h"
#include "field_errors.h"
#include "secret_setting.h"

/* The commands aduan-intake answers: report.submit, report.get, reference.list,
 * report.notifications, and attachment.add / attachment.get (attachment_commands.h). */
typedef struct {
    db_t *db;
    /* report.submit's own connection, whose statements intake_submit_batch prepares: a batch runs the
     * same few statements every time, whereas the plans of the public list and the desk filters on
     * db depend on their parameters. */
    db_t *submissions;
    unsigned char idempotency_secret[SECRET_SETTING_BYTES];  /* ADUAN_IDEMPOTENCY_SECRET */
} intake_t;

int intake_commands_register(cmd_server_t *server, intake_t *intake);

/* The handlers, exposed for tests that drive them without sockets. */
int intake_submit(void *ctx, const envelope_t *request, envelope_t *reply);
/* report.submit for the requests waiting together: one transaction for all (cmd_batch_fn). */
int intake_submit_batch(void *ctx, const envelope_t *const *requests, envelope_t *const *replies, size_t count);
int intake_get(void *ctx, const envelope_t *request, envelope_t *reply);
/* report.get for the requests waiting together: one statement for all (cmd_batch_fn). */
int intake_get_batch(void *ctx, const envelope_t *const *requests, envelope_t *const *replies, size_t count);
int intake_reference_list(void *ctx, const envelope_t *request, envelope_t *reply);
int intake_notifications(void *ctx, const envelope_t *request, envelope_t *reply);

/* Replies shared by the handlers: a database error (503 when retryable, else 500) and field errors (422). */
void intake_reply_database_error(envelope_t *reply, const db_error_t *error);
void intake_reply_invalid(envelope_t *reply, const field_errors_t *errors);

#endif
