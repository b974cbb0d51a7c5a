#ifndef ADUAN_INTAKE_DESK_FILTER_STORE_H
#define ADUAN_INTAKE_DESK_FILTER_STORE_H
#include <stdint.h>

#include "db.h"
#include "error_reply.h"

/* The table desk_saved_filters: a staff member's named sets of the desk's filters, each member's
 * own (never shared). Intake keeps them because it answers the desk's reports; the gateway checks a
 * filter with the desk's parser before it asks to store it, and the table checks the name (1 to
 * 80 characters, unique per member). Documents are rendered here, as docs/api.md shows them:
 * {"items": [{"id", "name", "filters"}]} ordered by name, and one saved filter. */

/* Enough for every view a member works with; a bound so a script cannot grow the table. */
#define DESK_FILTER_SAVED_MAX 50

/* 0 with *json (the caller frees it), -1. */
int desk_filter_store_list(db_t *db, int64_t staff_id, char **json, db_error_t *error);

/* 0 stored with *json; 1 refused (a field error on name: taken, or too_many when the member keeps
 * DESK_FILTER_SAVED_MAX already); -1. `filters` is a JSON object's text. */
int desk_filter_store_save(db_t *db, int64_t staff_id, const char *name, const char *filters, char **json,
                           error_reply_t *refusal, db_error_t *error);

/* 0 deleted; 1 refused (not_found: the member has no saved filter with this id); -1. */
int desk_filter_store_delete(db_t *db, int64_t staff_id, int64_t id, error_reply_t *refusal, db_error_t *error);

#endif
