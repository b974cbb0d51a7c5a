#ifndef ADUAN_CONFIG_EVENTS_H
#define ADUAN_CONFIG_EVENTS_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "db.h"

/* The events of reference data an admin changed (EVENT_CONFIG_PREFIX, documented in
 * docs/event-stream.md "Configuration events"), built in one place so every owning service
 * appends them alike: about no report, actor = the admin, payload = a flat map of the change. */
#define CONFIG_EVENT_VERSION 1

typedef struct {
    const char *key;
    const char *text;     /* a string value, or NULL for the number below (or nil when is_number false) */
    bool is_number;
    int64_t number;
} config_event_field_t;

typedef struct {
    const char *type;           /* EVENT_HOLIDAY_ADDED, ... */
    const char *actor_role;
    const char *actor_id;       /* the staff username, as in report events */
    const config_event_field_t *fields;
    size_t count;
} config_event_t;

/* Appends the event inside the caller's transaction; 0, or -1 with the error. */
int config_events_append(db_t *db, const config_event_t *change, db_error_t *error);

#endif
