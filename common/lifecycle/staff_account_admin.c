#include "staff_account_admin.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "message_types.h"
#include "report_lifecycle.h"
#include "staff_events.h"

/* $1 the account, $2 the admin's role, $3 the admin's institution. Out of scope reads as unknown. */
#define IN_SCOPE \
    "o.id = s.id AND o.username = $1 AND ($2 = 'national_admin' " \
    "OR (o.role <> 'national_admin' AND institution_within(o.institution_code, $3)))"
/* The account after and before, and whether the update changed what the action is about. */
#define CHANGE_COLUMNS "s.id, s.username, s.role, s.institution_code, o.role, o.institution_code, "

enum { COL_ID, COL_USERNAME, COL_ROLE, COL_INSTITUTION, COL_PREVIOUS_ROLE, COL_PREVIOUS_INSTITUTION, COL_CHANGED };

typedef struct {
    const char *sql;
    const char *const *params;
    int nparams;
    const char *event_type;
    bool ends_sessions;
    const staff_member_t *admin;
} staff_update_t;

static bool is_admin(const staff_member_t *who)
{
    return strcmp(who->role, "national_admin") == 0 || strcmp(who->role, "institution_admin") == 0;
}

/* 1 with *refusal unless an admin acts on another account. */
static int admin_may_act(const staff_member_t *admin, const char *username, error_reply_t *refusal)
{
    if (!is_admin(admin))
        return error_reply_refuse(refusal, ERROR_FORBIDDEN, "accounts are administered by admins");
    if (strcmp(username, admin->username) == 0)
        return error_reply_refuse(refusal, ERROR_FORBIDDEN, "an admin does not administer their own account");
    return 0;
}

static int end_sessions(db_t *db, const char *staff_id, db_error_t *error)
{
    const char *params[] = {staff_id};
    return db_exec_ok(db, "DELETE FROM staff_sessions WHERE staff_id = $1::bigint", 1, params, error);
}

/* One transaction: the update, its event and the end of the account's sessions. 1 when no account
 * of the scope has the username. */
static int update_tx(db_t *db, void *ctx, db_error_t *error)
{
    const staff_update_t *u = ctx;
    PGresult *r = db_exec(db, u->sql, u->nparams, u->params, error);
    if (!r)
        return -1;
    int rc = PQntuples(r) == 1 ? 0 : 1;
    bool changed = rc == 0 && PQgetvalue(r, 0, COL_CHANGED)[0] == 't';
    bool moved = changed && strcmp(u->event_type, EVENT_STAFF_CHANGED) == 0;
    staff_change_t change = {
        .username = rc == 0 ? PQgetvalue(r, 0, COL_USERNAME) : NULL,
        .role = rc == 0 ? PQgetvalue(r, 0, COL_ROLE) : NULL,
        .institution = rc == 0 ? PQgetvalue(r, 0, COL_INSTITUTION) : NULL,
        .previous_role = moved ? PQgetvalue(r, 0, COL_PREVIOUS_ROLE) : NULL,
        .previous_institution = moved ? PQgetvalue(r, 0, COL_PREVIOUS_INSTITUTION) : NULL,
    };
    if (changed && (staff_events_append(db, u->event_type, &change, u->admin->role, u->admin->username, error) != 0
                    || (u->ends_sessions && end_sessions(db, PQgetvalue(r, 0, COL_ID), error) != 0)))
        rc = -1;
    PQclear(r);
    return rc;
}

static int run_update(db_t *db, staff_update_t *u, error_reply_t *refusal, db_error_t *error)
{
    int rc = db_transaction(db, update_tx, u, error);
    if (rc == 1)
        return error_reply_refuse(refusal, ERROR_NOT_FOUND, "no account of your subtree has this username");
    if (rc < 0 && strncmp(error->sqlstate, "23", 2) == 0)  /* a national admin outside NASIONAL */
        return error_reply_refuse(refusal, ERROR_INVALID, "this role cannot sit at this institution");
    return rc;
}

int staff_account_admin_set_active(db_t *db, const char *username, bool active, const staff_member_t *admin,
                                   error_reply_t *refusal, db_error_t *error)
{
    if (admin_may_act(admin, username, refusal) != 0)
        return 1;
    const char *params[] = {username, admin->role, admin->institution, active ? "true" : "false"};
    staff_update_t u = {"UPDATE staff s SET active = $4::boolean FROM staff o WHERE " IN_SCOPE
                        " RETURNING " CHANGE_COLUMNS "o.active <> $4::boolean",
                        params, 4, active ? EVENT_STAFF_REACTIVATED : EVENT_STAFF_DEACTIVATED, !active, admin};
    return run_update(db, &u, refusal, error);
}

int staff_account_admin_reset_password(db_t *db, const char *username, const char *password,
                                       const staff_member_t *admin, error_reply_t *refusal, db_error_t *error)
{
    if (admin_may_act(admin, username, refusal) != 0)
        return 1;
    field_errors_t fields;
    field_errors_clear(&fields);
    staff_accounts_check_password(password, &fields);
    if (fields.count)
        return error_reply_refuse_fields(refusal, "the password is invalid", &fields);
    char hash[STAFF_PASSWORD_HASH_MAX];
    if (staff_accounts_hash_password(password, hash) != 0) {
        snprintf(error->message, sizeof error->message, "out of memory hashing the password");
        return -1;
    }
    const char *params[] = {username, admin->role, admin->institution, hash};
    staff_update_t u = {"UPDATE staff s SET password_hash = $4 FROM staff o WHERE " IN_SCOPE
                        " RETURNING " CHANGE_COLUMNS "true",
                        params, 4, EVENT_STAFF_PASSWORD_RESET, true, admin};
    int rc = run_update(db, &u, refusal, error);
    sodium_memzero(hash, sizeof hash);
    return rc;
}

/* 0 when the new role and institution are the admin's to give; 1 refused; -1 error. */
static int change_allowed(db_t *db, const char *role, const char *institution, const staff_member_t *admin,
                          error_reply_t *refusal, db_error_t *error)
{
    field_errors_t fields;
    field_errors_clear(&fields);
    if (!role && !institution)
        field_errors_add(&fields, "role", "required", "send a new role, a new institution or both");
    if (role && !(lifecycle_role_bit(role) & ROLE_STAFF))
        field_errors_add(&fields, "role", "unknown", "role is national_admin, institution_admin, unit_liaison or analyst");
    if (fields.count)
        return error_reply_refuse_fields(refusal, "the change has invalid fields", &fields);
    bool national = strcmp(admin->role, "national_admin") == 0;
    if (role && strcmp(role, "national_admin") == 0 && !national)
        return error_reply_refuse(refusal, ERROR_FORBIDDEN, "only a national admin makes national admins");
    if (!institution)
        return 0;
    const char *params[] = {institution, admin->institution};
    PGresult *r = db_exec(db, "SELECT EXISTS (SELECT 1 FROM institutions WHERE code = $1 AND active), "
                              "institution_within($1, $2)", 2, params, error);
    if (!r)
        return -1;
    bool exists = PQgetvalue(r, 0, 0)[0] == 't', within = PQgetvalue(r, 0, 1)[0] == 't';
    PQclear(r);
    if (!exists) {
        field_errors_add(&fields, "institution", "unknown", "no active institution has this code");
        return error_reply_refuse_fields(refusal, "the change has invalid fields", &fields);
    }
    if (!within && !national)
        return error_reply_refuse(refusal, ERROR_FORBIDDEN, "you may move accounts only within your subtree");
    return 0;
}

int staff_account_admin_change(db_t *db, const char *username, const char *role, const char *institution,
                               const staff_member_t *admin, error_reply_t *refusal, db_error_t *error)
{
    if (admin_may_act(admin, username, refusal) != 0)
        return 1;
    int rc = change_allowed(db, role, institution, admin, refusal, error);
    if (rc != 0)
        return rc;
    const char *params[] = {username, admin->role, admin->institution, role, institution};
    staff_update_t u = {"UPDATE staff s SET role = coalesce($4, o.role), "
                        "institution_code = coalesce($5, o.institution_code) FROM staff o WHERE " IN_SCOPE
                        " RETURNING " CHANGE_COLUMNS "(s.role, s.institution_code) IS DISTINCT FROM "
                        "(o.role, o.institution_code)",
                        params, 5, EVENT_STAFF_CHANGED, true, admin};
    return run_update(db, &u, refusal, error);
}

static void fill_entry(const PGresult *r, int row, staff_entry_t *e)
{
    snprintf(e->username, sizeof e->username, "%s", PQgetvalue(r, row, 0));
    staff_accounts_copy_name(PQgetvalue(r, row, 1), e->display_name, sizeof e->display_name);
    snprintf(e->role, sizeof e->role, "%s", PQgetvalue(r, row, 2));
    snprintf(e->institution, sizeof e->institution, "%s", PQgetvalue(r, row, 3));
    snprintf(e->email, sizeof e->email, "%s", PQgetvalue(r, row, 4));
    snprintf(e->language, sizeof e->language, "%s", PQgetvalue(r, row, 5));
    e->active = PQgetvalue(r, row, 6)[0] == 't';
    e->created_at_ms = strtoll(PQgetvalue(r, row, 7), NULL, 10);
}

int staff_account_admin_list(db_t *db, const staff_member_t *admin, const staff_list_filter_t *f, staff_list_t *list,
                             error_reply_t *refusal, db_error_t *error)
{
    memset(list, 0, sizeof *list);
    if (!is_admin(admin))
        return error_reply_refuse(refusal, ERROR_FORBIDDEN, "accounts are administered by admins");
    char limit[16], offset[16];
    snprintf(limit, sizeof limit, "%u", f->limit);
    snprintf(offset, sizeof offset, "%u", f->offset);
    const char *params[] = {admin->role, admin->institution, f->institution, f->role, f->active, limit, offset};
    PGresult *r = db_exec(db,
        "SELECT s.username, s.display_name, s.role, s.institution_code, coalesce(s.email, ''), s.language, s.active, "
        "       (extract(epoch FROM s.created_at) * 1000)::bigint, count(*) OVER () "
        "FROM staff s WHERE ($1 = 'national_admin' "
        "    OR (s.role <> 'national_admin' AND institution_within(s.institution_code, $2))) "
        "  AND ($3::text IS NULL OR institution_within(s.institution_code, $3)) "
        "  AND ($4::text IS NULL OR s.role = $4) AND ($5::boolean IS NULL OR s.active = $5::boolean) "
        "ORDER BY s.username LIMIT $6::int OFFSET $7::int", 7, params, error);
    if (!r)
        return -1;
    int n = PQntuples(r);
    if (n > 0 && !(list->items = calloc((size_t) n, sizeof *list->items))) {
        PQclear(r);
        snprintf(error->message, sizeof error->message, "out of memory listing staff");
        return -1;
    }
    for (int i = 0; i < n; i++)
        fill_entry(r, i, &list->items[i]);
    list->count = (size_t) n;
    list->total = n > 0 ? strtoll(PQgetvalue(r, 0, 8), NULL, 10) : 0;
    PQclear(r);
    return 0;
}

void staff_list_clear(staff_list_t *list)
{
    free(list->items);
    memset(list, 0, sizeof *list);
}
