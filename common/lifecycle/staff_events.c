#include "staff_events.h"

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "envelope.h"
#include "event_log.h"
#include "msgpack_fields.h"

#define F(key, member) {key, MPF_STR, false, 0, offsetof(staff_change_t, member), MPF_NO_FLAG}
static const mpf_field_t change_fields[] = {
    F("username", username), F("role", role), F("institution", institution),
    F("previous_role", previous_role), F("previous_institution", previous_institution),
};

int staff_events_append(db_t *db, const char *type, const staff_change_t *change, const char *actor_role,
                        const char *actor_id, db_error_t *error)
{
    char id[ENVELOPE_ID_MAX + 1];
    envelope_random_id(id);
    event_t event;
    memset(&event, 0, sizeof event);
    event.id = strdup(id);
    event.type = strdup(type);
    event.version = STAFF_EVENT_VERSION;
    event.institution = strdup(change->institution);
    event.actor_role = strdup(actor_role);
    event.actor_id = actor_id ? strdup(actor_id) : NULL;
    int rc = -1;
    if (!event.id || !event.type || !event.institution || !event.actor_role || (actor_id && !event.actor_id)
        || mpf_encode(change_fields, MPF_COUNT(change_fields), change, &event.payload, &event.payload_size) != 0)
        snprintf(error->message, sizeof error->message, "out of memory making a %s event", type);
    else
        rc = event_log_append(db, &event, error);
    event_clear(&event);
    return rc;
}
