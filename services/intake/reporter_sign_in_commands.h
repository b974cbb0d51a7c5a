#ifndef ADUAN_INTAKE_REPORTER_SIGN_IN_COMMANDS_H
#define ADUAN_INTAKE_REPORTER_SIGN_IN_COMMANDS_H

#include "cmd_server.h"
#include "intake_commands.h"

/* "My reports": reporter.code, reporter.sign_in, reporter.reports and reporter.recover
 * (reporter_sign_in_codec.h), asked by the gateway. Codes and contacts are never logged. */
int reporter_sign_in_register(cmd_server_t *server, intake_t *intake);

/* The handlers, exposed for tests that drive them without sockets. */
int intake_reporter_code(void *ctx, const envelope_t *request, envelope_t *reply);
int intake_reporter_sign_in(void *ctx, const envelope_t *request, envelope_t *reply);
int intake_reporter_reports(void *ctx, const envelope_t *request, envelope_t *reply);
int intake_reporter_recover(void *ctx, const envelope_t *request, envelope_t *reply);

#endif
