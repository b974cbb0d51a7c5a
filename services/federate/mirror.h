#ifndef ADUAN_MIRROR_H
#define ADUAN_MIRROR_H

#include "db.h"
#include "forwarder.h"

/* Polls one forwarded report that is still open here (GET requests/{id}.json with
 * extensions=true) and mirrors what changed upstream as lifecycle steps by the system, in one
 * transaction with the record of what was seen: each new upstream note becomes an
 * upstream_follow_up, a close upstream an upstream_close. Each step's command id is derived from
 * the forward and the note's place, so a step is never applied twice. Returns 1 when one was
 * polled, 0 when none was due, -1 on a database error. */
int mirror_poll_one(db_t *db, const federate_settings_t *settings);

#endif
