#ifndef ADUAN_INTAKE_PUBLIC_LIST_H
#define ADUAN_INTAKE_PUBLIC_LIST_H
#include "cmd_server.h"
#include "intake_commands.h"

/* report.list (public_list_codec.h): the public list of reports, answered as a staff.document.
 * Confidential reports are never listed, archived ones neither (they were not taken up); an item
 * carries nothing of its reporter, so an anonymous report looks like any other. */
int public_list_register(cmd_server_t *server, intake_t *intake);
int intake_public_list(void *ctx, const envelope_t *request, envelope_t *reply);

/* The statements, for the plan checks (tests/db/test_hot_path_plans.c): $1 words, $2 category,
 * $3 region, $4 bucket, $5 from, $6 to, $7 limit, $8 offset, $9 lat, $10 lon, $11 metres; the
 * list's $12 $13 a cursor (microseconds, id), or the similar reports' $12 a draft's text. */
extern const char public_list_sql[];
extern const char public_list_similar_sql[];

#endif
