#include "routing_rule_store.h"

#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config_events.h"
#include "message_types.h"

#define RULE_JSON \
    "json_build_object('id', x.id, 'category', x.category_code, 'region', x.region_code, " \
    "'institution', x.institution_code, " \
    "'category_name', (SELECT c.name FROM categories c WHERE c.code = x.category_code), " \
    "'region_name', (SELECT g.name FROM regions g WHERE g.code = x.region_code), " \
    "'institution_name', (SELECT i.name FROM institutions i WHERE i.code = x.institution_code))"

int routing_rule_store_list(db_t *db, const routing_rule_change_t *change, char **json, db_error_t *error)
{
    const char *params[] = {change->subtree};
    return db_query_value(db, "SELECT json_build_object('rules', COALESCE(json_agg(" RULE_JSON
                              " ORDER BY x.category_code NULLS FIRST, x.region_code NULLS FIRST, x.id), '[]'))::text "
                              "FROM routing_rules x WHERE $1::text IS NULL OR institution_within(x.institution_code, $1)",
                          1, params, json, error);
}

/* Each code names an active row of its table (regions have no active flag); for an institution
 * admin, the institution lies in its subtree and a new rule's region in its institution's. */
static int check_codes(db_t *db, const routing_rule_change_t *change, bool new_rule, field_errors_t *errors,
                       db_error_t *error)
{
    const char *params[] = {change->category, change->region, change->institution, change->subtree,
                            new_rule ? "true" : "false"};
    PGresult *r = db_exec(db,
        "SELECT $1::text IS NULL OR EXISTS (SELECT 1 FROM categories WHERE code = $1 AND active), "
        "  $2::text IS NULL OR EXISTS (SELECT 1 FROM regions WHERE code = $2), "
        "  EXISTS (SELECT 1 FROM institutions WHERE code = $3 AND active), "
        "  $4::text IS NULL OR NOT $5::boolean "
        "    OR region_within($2, (SELECT region_code FROM institutions WHERE code = $4)), "
        "  $4::text IS NULL OR institution_within($3, $4)", 5, params, error);
    if (!r)
        return -1;
    bool ok[5];
    for (int i = 0; i < 5; i++)
        ok[i] = PQgetvalue(r, 0, i)[0] == 't';
    PQclear(r);
    static const char *const fields[] = {"category", "region", "institution"};
    static const char *const what[] = {"an active category", "a region", "an active institution"};
    for (int i = 0; i < 3; i++)
        if (!ok[i])
            field_errors_add(errors, fields[i], "unknown", "must be the code of %s", what[i]);
    if (ok[1] && !ok[3])
        field_errors_add(errors, "region", "outside_region", "must be a region within your institution's region");
    if (ok[2] && !ok[4])
        field_errors_add(errors, "institution", "outside_subtree",
                         "must be an institution within your institution's subtree");
    return 0;
}

static int validate(db_t *db, const routing_rule_change_t *change, field_errors_t *errors, db_error_t *error)
{
    if (!change->institution)
        field_errors_add(errors, "institution", "required", "institution is required");
    if (!change->category && !change->region)
        field_errors_add(errors, "category", "required", "a rule needs a category, a region or both");
    return errors->count ? 0 : check_codes(db, change, true, errors, error);
}

/* The rule change->id, locked: 0 with *held (category, region, institution), 1 refused (none,
 * or one whose institution is outside the admin's subtree), -1 error. */
static int held_rule(db_t *db, const routing_rule_change_t *change, PGresult **held, error_reply_t *refusal,
                     db_error_t *error)
{
    char id[24];
    snprintf(id, sizeof id, "%" PRId64, change->id);
    const char *params[] = {id, change->subtree};
    PGresult *r = db_exec(db, "SELECT category_code, region_code, institution_code, "
                              "  $2::text IS NULL OR institution_within(institution_code, $2) "
                              "FROM routing_rules WHERE id = $1::bigint FOR UPDATE", 2, params, error);
    if (!r)
        return -1;
    int rc = 0;
    if (PQntuples(r) == 0)
        rc = error_reply_refuse(refusal, ERROR_NOT_FOUND, "no routing rule has this id");
    else if (PQgetvalue(r, 0, 3)[0] != 't')
        rc = error_reply_refuse(refusal, ERROR_FORBIDDEN, "this rule sends reports outside your institution's subtree");
    if (rc != 0)
        PQclear(r);
    else
        *held = r;
    return rc;
}

/* The rule for the same category and region: the answer of a resent command when it sends to
 * the same institution, else a duplicate. */
static int existing_rule(db_t *db, const routing_rule_change_t *change, char **json, error_reply_t *refusal,
                         db_error_t *error)
{
    const char *params[] = {change->category, change->region, change->institution};
    PGresult *r = db_exec(db, "SELECT x.institution_code = $3, " RULE_JSON "::text FROM routing_rules x "
                              "WHERE x.category_code IS NOT DISTINCT FROM $1 AND x.region_code IS NOT DISTINCT FROM $2",
                          3, params, error);
    if (!r)
        return -1;
    int rc = 0;
    if (PQntuples(r) == 1 && PQgetvalue(r, 0, 0)[0] == 't')
        rc = (*json = db_value_dup(r, 0, 1)) ? 0 : -1;
    else {
        field_errors_t errors;
        field_errors_clear(&errors);
        field_errors_add(&errors, change->category ? "category" : "region", "duplicate",
                         "a rule for this category and region exists already; remove it first");
        rc = error_reply_refuse_fields(refusal, "the routing rule has invalid fields", &errors);
    }
    PQclear(r);
    return rc;
}

int routing_rule_store_add(db_t *db, const routing_rule_change_t *change, char **json, error_reply_t *refusal,
                           db_error_t *error)
{
    field_errors_t errors;
    field_errors_clear(&errors);
    if (validate(db, change, &errors, error) != 0)
        return -1;
    if (errors.count)
        return error_reply_refuse_fields(refusal, "the routing rule has invalid fields", &errors);
    const char *params[] = {change->category, change->region, change->institution};
    PGresult *r = db_exec(db, "WITH x AS (INSERT INTO routing_rules (category_code, region_code, institution_code) "
                              "  VALUES ($1, $2, $3) ON CONFLICT DO NOTHING RETURNING *), "
                              "back AS (DELETE FROM removed_reference_rows WHERE table_name = 'routing_rules' "
                              "  AND key IN (SELECT routing_rule_key(category_code, region_code) FROM x)) "
                              "SELECT x.id, " RULE_JSON "::text FROM x", 3, params, error);
    if (!r)
        return -1;
    if (PQntuples(r) == 0) {
        PQclear(r);
        return existing_rule(db, change, json, refusal, error);
    }
    const config_event_field_t fields[] = {
        {"id", NULL, true, strtoll(PQgetvalue(r, 0, 0), NULL, 10)}, {"category", change->category, false, 0},
        {"region", change->region, false, 0}, {"institution", change->institution, false, 0},
    };
    config_event_t event = {EVENT_ROUTING_RULE_ADDED, change->actor_role, change->actor, fields,
                            sizeof fields / sizeof fields[0]};
    int rc = (*json = db_value_dup(r, 0, 1)) ? config_events_append(db, &event, error) : -1;
    PQclear(r);
    return rc;
}

static const char *nullable(PGresult *r, int column)
{
    return PQgetisnull(r, 0, column) ? NULL : PQgetvalue(r, 0, column);
}

/* The rule's new institution, checked; its event unless it sent there already. */
static int change_target(db_t *db, const routing_rule_change_t *change, PGresult *held, char **json,
                         db_error_t *error)
{
    char id[24];
    snprintf(id, sizeof id, "%" PRId64, change->id);
    const char *params[] = {id, change->institution};
    if (db_query_value(db, "UPDATE routing_rules AS x SET institution_code = $2 WHERE x.id = $1::bigint "
                           "RETURNING " RULE_JSON "::text", 2, params, json, error) != 0 || !*json)
        return -1;
    if (strcmp(PQgetvalue(held, 0, 2), change->institution) == 0)
        return 0;
    const config_event_field_t fields[] = {
        {"id", NULL, true, change->id}, {"category", nullable(held, 0), false, 0},
        {"region", nullable(held, 1), false, 0}, {"institution", change->institution, false, 0},
        {"previous_institution", PQgetvalue(held, 0, 2), false, 0},
    };
    config_event_t event = {EVENT_ROUTING_RULE_CHANGED, change->actor_role, change->actor, fields,
                            sizeof fields / sizeof fields[0]};
    return config_events_append(db, &event, error);
}

int routing_rule_store_update(db_t *db, const routing_rule_change_t *change, char **json, error_reply_t *refusal,
                              db_error_t *error)
{
    PGresult *held = NULL;
    int rc = held_rule(db, change, &held, refusal, error);
    if (rc != 0)
        return rc;
    field_errors_t errors;
    field_errors_clear(&errors);
    if (change->category || change->region)
        field_errors_add(&errors, change->category ? "category" : "region", "fixed",
                         "a rule's category and region are its key: remove it and add another");
    else if (!change->institution)
        field_errors_add(&errors, "institution", "required", "institution is required");
    else
        rc = check_codes(db, &(routing_rule_change_t) {.institution = change->institution, .subtree = change->subtree},
                         false, &errors, error);
    if (rc == 0 && errors.count)
        rc = error_reply_refuse_fields(refusal, "the routing rule has invalid fields", &errors);
    if (rc == 0)
        rc = change_target(db, change, held, json, error);
    PQclear(held);
    return rc;
}

int routing_rule_store_remove(db_t *db, const routing_rule_change_t *change, error_reply_t *refusal,
                              db_error_t *error)
{
    PGresult *held = NULL;
    int scoped = held_rule(db, change, &held, refusal, error);
    if (scoped != 0)
        return scoped;
    PQclear(held);
    char id[24];
    snprintf(id, sizeof id, "%" PRId64, change->id);
    const char *params[] = {id};
    PGresult *r = db_exec(db, "WITH gone AS (DELETE FROM routing_rules WHERE id = $1::bigint RETURNING *), "
                              "kept_out AS (INSERT INTO removed_reference_rows (table_name, key) "
                              "  SELECT 'routing_rules', routing_rule_key(category_code, region_code) FROM gone "
                              "  ON CONFLICT DO NOTHING) "
                              "SELECT category_code, region_code, institution_code FROM gone", 1, params, error);
    if (!r)
        return -1;
    if (PQntuples(r) == 0) {
        PQclear(r);
        return error_reply_refuse(refusal, ERROR_NOT_FOUND, "no routing rule has this id");
    }
    const config_event_field_t fields[] = {
        {"id", NULL, true, change->id}, {"category", nullable(r, 0), false, 0}, {"region", nullable(r, 1), false, 0},
        {"institution", PQgetvalue(r, 0, 2), false, 0},
    };
    config_event_t event = {EVENT_ROUTING_RULE_REMOVED, change->actor_role, change->actor, fields,
                            sizeof fields / sizeof fields[0]};
    int rc = config_events_append(db, &event, error);
    PQclear(r);
    return rc;
}
