#ifndef ADUAN_INTAKE_SUPPORT_COMMANDS_H
#define ADUAN_INTAKE_SUPPORT_COMMANDS_H
#include "cmd_server.h"
#include "intake_commands.h"

/* report.support (support_codec.h): "dukung". A supporter is counted once per report (the hash of
 * the id their browser keeps), and each new one is a report.supported event for statistics.
 * Only reports of the public list can be supported: a confidential or archived report answers
 * not_found, as if it did not exist. */
int support_commands_register(cmd_server_t *server, intake_t *intake);
int intake_report_support(void *ctx, const envelope_t *request, envelope_t *reply);

#endif
