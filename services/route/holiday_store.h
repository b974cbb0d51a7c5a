#ifndef ADUAN_ROUTE_HOLIDAY_STORE_H
#define ADUAN_ROUTE_HOLIDAY_STORE_H

#include "db.h"
#include "error_reply.h"

/* All SQL on `holidays`, which aduan-route owns: the calendar its deadline clocks skip. Every
 * change runs in the caller's transaction, moves the running clocks whose working days span the
 * day (migration 0024: they keep their number of working days) and appends its event. */

typedef struct {
    const char *day;        /* YYYY-MM-DD */
    const char *name;
    const char *kind;       /* national | joint_leave; NULL: national */
    const char *actor_role, *actor;   /* the admin's role and username */
} holiday_change_t;

/* The whole calendar, by day, as JSON {"holidays": [{day, name, kind}...]}. */
int holiday_store_list(db_t *db, char **json, db_error_t *error);

/* Adds the day: 0 with the holiday's JSON (also when the same holiday was there already: a
 * resent command), 1 refused (invalid, with the field), -1 error. */
int holiday_store_add(db_t *db, const holiday_change_t *change, char **json, error_reply_t *refusal,
                      db_error_t *error);

/* Removes the day: 0, 1 refused (invalid day, or not_found), -1 error. */
int holiday_store_remove(db_t *db, const holiday_change_t *change, error_reply_t *refusal, db_error_t *error);

#endif
