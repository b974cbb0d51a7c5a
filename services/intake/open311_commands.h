#ifndef ADUAN_INTAKE_OPEN311_COMMANDS_H
#define ADUAN_INTAKE_OPEN311_COMMANDS_H
#include "cmd_server.h"
#include "intake_commands.h"

/* open311.query (open311_query_codec.h): the reads of the Open311 server, answered as a
 * staff.document in Open311 shape. A token is the name of the idempotency key its submission was
 * sent under ("o311:" + token), so it is found again without storing anything more. */
#define OPEN311_KEY_PREFIX "o311:"

int open311_commands_register(cmd_server_t *server, intake_t *intake);
int intake_open311_query(void *ctx, const envelope_t *request, envelope_t *reply);

#endif
