#ifndef ADUAN_INTAKE_CATEGORY_STORE_H
#define ADUAN_INTAKE_CATEGORY_STORE_H

#include "db.h"
#include "error_reply.h"

/* All SQL that edits `categories`, which aduan-intake owns (its forms and its submission check
 * read them in every request, so a change counts from the next one on). A category is never
 * deleted (reports keep pointing at it): it is deactivated, and then no longer offered or
 * accepted for new reports. Every change runs in the caller's transaction with its event. */

typedef struct {
    const char *code, *parent, *name, *name_en;
    const char *actor_role, *actor;   /* the admin's role and username */
} category_change_t;

/* Every category, active or not, as JSON {"categories": [{code, parent, name, name_en, active}...]}. */
int category_store_list(db_t *db, char **json, db_error_t *error);

/* 0 with the category's JSON (also when the same category exists: a resent command), 1 refused
 * (invalid, with the field: a malformed or taken code, a parent that is not an active group,
 * names), -1 error. */
int category_store_add(db_t *db, const category_change_t *change, char **json, error_reply_t *refusal,
                       db_error_t *error);

/* New name and/or English name: 0 with the JSON, 1 refused (invalid, not_found), -1 error. */
int category_store_rename(db_t *db, const category_change_t *change, char **json, error_reply_t *refusal,
                          db_error_t *error);

/* 0 with the JSON (also when inactive already), 1 refused (not_found; invalid on code for a group
 * with active subcategories), -1 error. */
int category_store_deactivate(db_t *db, const category_change_t *change, char **json, error_reply_t *refusal,
                              db_error_t *error);

/* Offers and accepts the category again: 0 with its JSON (an active one: nothing changes, nothing
 * is appended), 1 refused (not_found; invalid on code when it is a subcategory of an inactive
 * group: reactivate the group first), -1 error. */
int category_store_reactivate(db_t *db, const category_change_t *change, char **json, error_reply_t *refusal,
                              db_error_t *error);

#endif
