#ifndef ADUAN_STAFF_EVENTS_H
#define ADUAN_STAFF_EVENTS_H

#include "db.h"
#include "event_codec.h"

/* The staff.* events (message_types.h, docs/event-stream.md): the history of account changes on the
 * stream. Payload (version 1): `username`, `role`, `institution` (the account after the change) and,
 * for staff.changed, `previous_role` and `previous_institution`. Never a password, a password hash
 * or an e-mail address. The event's institution is the account's; actor_role and actor_id are the
 * admin's (actor_role `system` when an operator acted with aduan-admin). */
#define STAFF_EVENT_VERSION 1

typedef struct {
    const char *username, *role, *institution;
    const char *previous_role, *previous_institution;  /* staff.changed only, else NULL */
} staff_change_t;

/* Inside the caller's transaction: appends the event `type` about `change`, done by the admin
 * (actor_role, actor_id; NULL actor_id with actor_role "system"). 0, or -1 with the error. */
int staff_events_append(db_t *db, const char *type, const staff_change_t *change, const char *actor_role,
                        const char *actor_id, db_error_t *error);

#endif
