#ifndef ADUAN_INTAKE_PUBLIC_LIST_H
#define ADUAN_INTAKE_PUBLIC_LIST_H
#include "cmd_server.h"
#include "intake_commands.h"

/* report.list (public_list_codec.h): the public list of reports, answered as a staff.document.
 * Confidential reports are never listed, archived ones neither (they were not taken up); an item
 * carries nothing of its reporter, so an anonymous report looks like any other. */
int public_list_register(cmd_server_t *server, intake_t *intake);
int intake_public_list(void *ctx, const envelope_t *request, envelope_t *reply);

#endif
