#include "category_store.h"

#include <ctype.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "config_events.h"
#include "message_types.h"
#include "utf8_text.h"

#define INVALID "the category has invalid fields"
#define CATEGORY_CODE_MAX 32
#define CATEGORY_NAME_MAX 200
#define CATEGORY_JSON \
    "json_build_object('code', c.code, 'parent', c.parent_code, 'name', c.name, 'name_en', c.name_en, " \
    "'active', c.active)"

int category_store_list(db_t *db, char **json, db_error_t *error)
{
    return db_query_value(db, "SELECT json_build_object('categories', COALESCE(json_agg(" CATEGORY_JSON
                              " ORDER BY c.code), '[]'))::text FROM categories c", 0, NULL, json, error);
}

/* The table's own check: ^[A-Z0-9][A-Z0-9._-]{0,31}$ */
static bool valid_code(const char *code)
{
    size_t n = code ? strlen(code) : 0;
    if (n < 1 || n > CATEGORY_CODE_MAX || !(isupper((unsigned char) code[0]) || isdigit((unsigned char) code[0])))
        return false;
    for (size_t i = 1; i < n; i++)
        if (!isupper((unsigned char) code[i]) && !isdigit((unsigned char) code[i]) && !strchr("._-", code[i]))
            return false;
    return true;
}

static void check_name(field_errors_t *errors, const char *field, const char *name, bool required)
{
    if (!name && !required)
        return;
    long length = name ? utf8_text_length(name, strlen(name)) : 0;
    if (length < 1 || length > CATEGORY_NAME_MAX || !utf8_text_is_printable(name, false)
        || isspace((unsigned char) name[0]))
        field_errors_add(errors, field, name ? "invalid" : "required", "%s must be 1 to %d printable characters",
                         field, CATEGORY_NAME_MAX);
}

static int append_event(db_t *db, const char *type, const category_change_t *change, PGresult *row, db_error_t *error)
{
    /* row: code, parent_code, name, name_en */
    const config_event_field_t fields[] = {
        {"code", PQgetvalue(row, 0, 0), false, 0},
        {"parent", PQgetisnull(row, 0, 1) ? NULL : PQgetvalue(row, 0, 1), false, 0},
        {"name", PQgetvalue(row, 0, 2), false, 0}, {"name_en", PQgetvalue(row, 0, 3), false, 0},
    };
    config_event_t event = {type, change->actor_role, change->actor, fields, sizeof fields / sizeof fields[0]};
    return config_events_append(db, &event, error);
}

/* Runs `sql` (its first four columns the row for the event, the fifth the JSON) and appends the
 * event of the changed row; 1 refused as not_found when no row changed. */
static int change_row(db_t *db, const char *sql, int nparams, const char *const *params, const char *type,
                      const category_change_t *change, char **json, error_reply_t *refusal, db_error_t *error)
{
    PGresult *r = db_exec(db, sql, nparams, params, error);
    if (!r)
        return -1;
    int rc;
    if (PQntuples(r) == 0)
        rc = error_reply_refuse(refusal, ERROR_NOT_FOUND, "no category has this code");
    else if (!(*json = db_value_dup(r, 0, 4)))
        rc = -1;
    else
        rc = type ? append_event(db, type, change, r, error) : 0;
    PQclear(r);
    return rc;
}

/* The code is taken: the answer of a resent command when it is the same category, else refused. */
static int added_before(db_t *db, const category_change_t *change, char **json, error_reply_t *refusal,
                        db_error_t *error)
{
    const char *params[] = {change->code, change->parent, change->name, change->name_en};
    if (db_query_value(db, "SELECT " CATEGORY_JSON "::text FROM categories c WHERE c.code = $1 "
                           "AND c.parent_code IS NOT DISTINCT FROM $2 AND c.name = $3 AND c.name_en = $4 AND c.active",
                       4, params, json, error) != 0)
        return -1;
    if (*json)
        return 0;
    field_errors_t errors;
    field_errors_clear(&errors);
    field_errors_add(&errors, "code", "taken", "a category with this code exists already");
    return error_reply_refuse_fields(refusal, INVALID, &errors);
}

int category_store_add(db_t *db, const category_change_t *change, char **json, error_reply_t *refusal,
                       db_error_t *error)
{
    field_errors_t errors;
    field_errors_clear(&errors);
    if (!valid_code(change->code))
        field_errors_add(&errors, "code", change->code ? "invalid" : "required",
                         "code must be 1 to 32 of A-Z 0-9 . _ -, starting with a letter or digit");
    check_name(&errors, "name", change->name, true);
    check_name(&errors, "name_en", change->name_en, true);
    if (errors.count)
        return error_reply_refuse_fields(refusal, INVALID, &errors);
    const char *params[] = {change->code, change->parent, change->name, change->name_en};
    PGresult *r = db_exec(db, "SELECT $2::text IS NULL OR EXISTS (SELECT 1 FROM categories "
                              "  WHERE code = $2 AND parent_code IS NULL AND active), "
                              "EXISTS (SELECT 1 FROM categories WHERE code = $1)", 2, params, error);
    if (!r)
        return -1;
    bool parent_ok = PQgetvalue(r, 0, 0)[0] == 't', taken = PQgetvalue(r, 0, 1)[0] == 't';
    PQclear(r);
    if (taken)
        return added_before(db, change, json, refusal, error);
    if (!parent_ok) {
        field_errors_add(&errors, "parent", "unknown", "parent must be the code of an active top-level category");
        return error_reply_refuse_fields(refusal, INVALID, &errors);
    }
    return change_row(db, "INSERT INTO categories AS c (code, parent_code, name, name_en) VALUES ($1, $2, $3, $4) "
                          "RETURNING c.code, c.parent_code, c.name, c.name_en, " CATEGORY_JSON "::text",
                      4, params, EVENT_CATEGORY_ADDED, change, json, refusal, error);
}

int category_store_rename(db_t *db, const category_change_t *change, char **json, error_reply_t *refusal,
                          db_error_t *error)
{
    field_errors_t errors;
    field_errors_clear(&errors);
    check_name(&errors, "name", change->name, false);
    check_name(&errors, "name_en", change->name_en, false);
    if (!change->name && !change->name_en)
        field_errors_add(&errors, "name", "required", "send name, name_en or both");
    if (errors.count)
        return error_reply_refuse_fields(refusal, INVALID, &errors);
    const char *params[] = {change->code, change->name, change->name_en};
    return change_row(db, "UPDATE categories AS c SET name = COALESCE($2, c.name), name_en = COALESCE($3, c.name_en) "
                          "WHERE c.code = $1 RETURNING c.code, c.parent_code, c.name, c.name_en, " CATEGORY_JSON "::text",
                      3, params, EVENT_CATEGORY_RENAMED, change, json, refusal, error);
}

/* Setting the flag as it is already changes nothing and appends nothing: the row as it is. */
static int set_active(db_t *db, const category_change_t *change, bool active, const char *type, char **json,
                      error_reply_t *refusal, db_error_t *error)
{
    const char *params[] = {change->code, active ? "true" : "false"};
    int rc = change_row(db, "WITH c AS (UPDATE categories SET active = $2::boolean "
                            "  WHERE code = $1 AND active <> $2::boolean RETURNING *) "
                            "SELECT c.code, c.parent_code, c.name, c.name_en, " CATEGORY_JSON "::text FROM c",
                        2, params, type, change, json, refusal, error);
    if (rc == 1)
        rc = change_row(db, "SELECT c.code, c.parent_code, c.name, c.name_en, " CATEGORY_JSON "::text "
                            "FROM categories c WHERE c.code = $1", 1, params, NULL, change, json, refusal, error);
    return rc;
}

/* The categories that stand in the way of changing `code` (what `sql` finds for it): 0 none, 1
 * refused on code (`reason` and what was found), -1 error. */
static int refuse_if_found(db_t *db, const char *sql, const char *code, const char *error_code, const char *reason,
                           error_reply_t *refusal, db_error_t *error)
{
    const char *params[] = {code};
    char *found = NULL;
    if (db_query_value(db, sql, 1, params, &found, error) != 0)
        return -1;
    if (!found)
        return 0;
    field_errors_t errors;
    field_errors_clear(&errors);
    field_errors_add(&errors, "code", error_code, "%s: %.180s", reason, found);
    free(found);
    return error_reply_refuse_fields(refusal, INVALID, &errors);
}

int category_store_deactivate(db_t *db, const category_change_t *change, char **json, error_reply_t *refusal,
                              db_error_t *error)
{
    int rc = refuse_if_found(db, "SELECT string_agg(code, ', ' ORDER BY code) FROM categories "
                                 "WHERE parent_code = $1 AND active",
                             change->code, "in_use", "deactivate its subcategories first", refusal, error);
    return rc ? rc : set_active(db, change, false, EVENT_CATEGORY_DEACTIVATED, json, refusal, error);
}

int category_store_reactivate(db_t *db, const category_change_t *change, char **json, error_reply_t *refusal,
                              db_error_t *error)
{
    int rc = refuse_if_found(db, "SELECT g.code FROM categories c JOIN categories g ON g.code = c.parent_code "
                                 "WHERE c.code = $1 AND NOT c.active AND NOT g.active",
                             change->code, "parent_inactive", "reactivate its group first", refusal, error);
    return rc ? rc : set_active(db, change, true, EVENT_CATEGORY_REACTIVATED, json, refusal, error);
}
