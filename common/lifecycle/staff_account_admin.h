#ifndef ADUAN_STAFF_ACCOUNT_ADMIN_H
#define ADUAN_STAFF_ACCOUNT_ADMIN_H

#include <stdbool.h>
#include <stdint.h>

#include "db.h"
#include "error_reply.h"
#include "staff_accounts.h"

/* What admins do to the accounts of their subtree (docs/api.md "Staff: administration"): list,
 * deactivate, reactivate, reset a password, change a role or an institution. The scope is the one
 * of staff_accounts_create: a national admin acts on every account, an institution admin on those
 * of its subtree except national admins, and an account outside the scope answers as one that does
 * not exist (not_found). Nobody acts on their own account (forbidden): an admin who deactivated or
 * demoted themselves would lock themselves out. Each change that changes something is one
 * staff.* event (staff_events.h) in the same transaction, and a deactivation, a password reset or
 * a change of role or institution ends every session of the account at once, so the old rights do
 * not outlive the answer. Every function: 0 done; 1 refused with *refusal; -1 error. */

typedef struct {
    char username[65];
    char display_name[201];
    char role[32];
    char institution[33];
    char email[255];        /* "" when none */
    char language[3];
    bool active;
    int64_t created_at_ms;
} staff_entry_t;

typedef struct {
    const char *institution;  /* that institution's subtree; NULL any */
    const char *role;         /* NULL any */
    const char *active;       /* "true", "false" or NULL any */
    uint32_t limit, offset;
} staff_list_filter_t;

typedef struct {
    size_t count;
    int64_t total;            /* accounts that pass the filter (0 when the page is past the end) */
    staff_entry_t *items;
} staff_list_t;

int staff_account_admin_list(db_t *db, const staff_member_t *admin, const staff_list_filter_t *filter,
                             staff_list_t *list, error_reply_t *refusal, db_error_t *error);
void staff_list_clear(staff_list_t *list);

/* Deactivates (active false) or reactivates an account. Deactivating an inactive account (or
 * reactivating an active one) changes nothing and appends nothing. */
int staff_account_admin_set_active(db_t *db, const char *username, bool active, const staff_member_t *admin,
                                   error_reply_t *refusal, db_error_t *error);

/* Sets a new password (STAFF_PASSWORD_MIN..MAX bytes; an argon2id run). */
int staff_account_admin_reset_password(db_t *db, const char *username, const char *password,
                                       const staff_member_t *admin, error_reply_t *refusal, db_error_t *error);

/* A new role and/or institution (NULL keeps it). The institution must exist, be active and lie in
 * the admin's subtree; only a national admin makes national admins (who sit at NASIONAL). */
int staff_account_admin_change(db_t *db, const char *username, const char *role, const char *institution,
                               const staff_member_t *admin, error_reply_t *refusal, db_error_t *error);

#endif
