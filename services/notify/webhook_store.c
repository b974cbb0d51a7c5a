#include "webhook_store.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "webhook_signature.h"

#define IN_SCOPE(inst) "($1 = 'national_admin' OR institution_within(" inst ", $2))"

#define WEBHOOK_JSON \
    "json_build_object('id', w.id, 'url', w.url, 'institution', w.institution_code, " \
    "'event_types', w.event_types, 'description', w.description, 'active', w.active, " \
    "'disabled_reason', w.disabled_reason, 'created_at', iso_utc(w.created_at))"

static bool is_admin(const staff_member_t *who)
{
    return strcmp(who->role, "national_admin") == 0 || strcmp(who->role, "institution_admin") == 0;
}

/* A well-formed URL is resolved, and refused when its host is an internal address. */
static void validate_url(const webhook_registration_t *reg, field_errors_t *errors)
{
    const char *url = reg->url;
    char reason[128];
    if (!url || (strncmp(url, "http://", 7) != 0 && strncmp(url, "https://", 8) != 0) || strlen(url) > 2000
        || strpbrk(url, " \t\r\n"))
        field_errors_add(errors, "url", "invalid", "must be an http:// or https:// URL of at most 2000 characters");
    else if (address_policy_check_url(reg->policy, url, reason, sizeof reason) != 0)
        field_errors_add(errors, "url", "invalid", "%s", reason);
}

static void validate(const webhook_registration_t *reg, field_errors_t *errors)
{
    validate_url(reg, errors);
    if (reg->description && strlen(reg->description) > 500)
        field_errors_add(errors, "description", "too_long", "must be at most 500 characters");
    for (int i = 0; reg->event_types[i]; i++)
        if (strncmp(reg->event_types[i], "report.", 7) != 0 || strlen(reg->event_types[i]) > 64)
            field_errors_add(errors, "event_types", "invalid", "each must be an event type such as report.dispatched");
}

/* {a,b,c} as a PostgreSQL array literal; event types hold no quotes, commas or braces (checked). */
static int array_literal(const char *const *items, char *out, size_t cap)
{
    size_t len = (size_t) snprintf(out, cap, "{");
    for (int i = 0; items[i]; i++) {
        if (strpbrk(items[i], "{},\"\\ "))
            return -1;
        len += (size_t) snprintf(out + len, len < cap ? cap - len : 0, "%s%s", i ? "," : "", items[i]);
    }
    len += (size_t) snprintf(out + len, len < cap ? cap - len : 0, "}");
    return len < cap ? 0 : -1;
}

/* The webhook this admin registered under request_id: 0 with its JSON, -1 when there is none
 * (the key was taken by another admin's request) or on error. */
static int registered_before(db_t *db, const char *request_id, const char *admin_id, char **json, db_error_t *error)
{
    const char *params[] = {request_id, admin_id};
    int rc = db_query_value(db, "SELECT (" WEBHOOK_JSON "::jsonb || jsonb_build_object('secret', w.secret))::text "
                                "FROM webhooks w WHERE w.request_id = $1 AND w.created_by = $2::bigint",
                            2, params, json, error);
    if (rc == 0 && !*json) {
        snprintf(error->message, sizeof error->message, "request id %s was used by another admin", request_id);
        return -1;
    }
    return rc;
}

/* Refused as invalid, with the field errors found. */
static int invalid(error_reply_t *refusal, const field_errors_t *errors)
{
    error_reply_refuse(refusal, ERROR_INVALID, "the webhook has invalid fields");
    refusal->fields = *errors;
    return 1;
}

static int outside_subtree(error_reply_t *refusal)
{
    return error_reply_refuse(refusal, ERROR_FORBIDDEN, "admins register webhooks for their own subtree only");
}

int webhook_store_register(db_t *db, const webhook_registration_t *reg, const staff_member_t *admin,
                           char **json, error_reply_t *refusal, db_error_t *error)
{
    *json = NULL;
    field_errors_t errors;
    field_errors_clear(&errors);
    validate(reg, &errors);
    char types[WEBHOOK_EVENT_TYPES_MAX * 66 + 3];
    if (array_literal(reg->event_types, types, sizeof types) != 0)
        field_errors_add(&errors, "event_types", "invalid", "each must be an event type such as report.dispatched");
    if (errors.count > 0)
        return invalid(refusal, &errors);
    if (!is_admin(admin))
        return outside_subtree(refusal);
    unsigned char key[32];
    char secret[sodium_base64_ENCODED_LEN(32, sodium_base64_VARIANT_URLSAFE_NO_PADDING)], id[24];
    randombytes_buf(key, sizeof key);
    sodium_bin2base64(secret, sizeof secret, key, sizeof key, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    snprintf(id, sizeof id, "%lld", (long long) admin->id);
    const char *institution = reg->institution ? reg->institution : admin->institution;
    const char *params[] = {admin->role, admin->institution, reg->url, institution, types, secret,
                            reg->description, id, reg->request_id};
    /* The scope check is part of the insert: nothing is written for an institution outside it. A
     * request id taken already (a retry) inserts nothing either; that webhook is read afterwards,
     * in a statement of its own, because one whose insert committed while this statement waited on
     * the key is not visible to this statement's snapshot. */
    PGresult *r = db_exec(db,
        "WITH inst AS (SELECT code, " IN_SCOPE("code") " AS allowed FROM institutions WHERE code = $4 AND active), "
        "added AS (INSERT INTO webhooks (url, institution_code, event_types, secret, description, created_by, request_id) "
        "  SELECT $3, code, $5::text[], $6, $7, $8::bigint, $9 FROM inst WHERE allowed "
        "  ON CONFLICT (request_id) DO NOTHING RETURNING *) "
        "SELECT (SELECT count(*) FROM inst), (SELECT bool_or(allowed) FROM inst), "
        "       (SELECT (" WEBHOOK_JSON "::jsonb || jsonb_build_object('secret', w.secret))::text FROM added w)",
        9, params, error);
    sodium_memzero(key, sizeof key);
    if (!r)
        return -1;
    int rc = 0;
    if (PQgetvalue(r, 0, 0)[0] == '0') {
        field_errors_add(&errors, "institution", "unknown", "no active institution has this code");
        rc = invalid(refusal, &errors);
    } else if (PQgetvalue(r, 0, 1)[0] != 't') {
        rc = outside_subtree(refusal);
    } else if (PQgetisnull(r, 0, 2)) {
        rc = registered_before(db, reg->request_id, id, json, error);
    } else if (!(*json = db_value_dup(r, 0, 2))) {
        rc = -1;
    }
    PQclear(r);
    return rc;
}

int webhook_store_list(db_t *db, const staff_member_t *admin, char **json, db_error_t *error)
{
    const char *params[] = {admin->role, admin->institution};
    return db_query_value(db,
        "SELECT json_build_object('items', COALESCE(json_agg(" WEBHOOK_JSON " ORDER BY w.id), '[]'))::text "
        "FROM webhooks w WHERE " IN_SCOPE("w.institution_code"), 2, params, json, error);
}

int webhook_store_disable(db_t *db, int64_t id, const staff_member_t *admin, const char *reason, db_error_t *error)
{
    char id_text[24], why[300];
    snprintf(id_text, sizeof id_text, "%lld", (long long) id);
    if (admin)
        snprintf(why, sizeof why, "removed by %s", admin->username);
    else
        snprintf(why, sizeof why, "%s", reason ? reason : "disabled");
    const char *params[] = {admin ? admin->role : "national_admin", admin ? admin->institution : NULL, id_text, why};
    PGresult *r = db_exec(db,
        "WITH off AS (UPDATE webhooks w SET active = false, disabled_reason = $4 "
        "  WHERE w.id = $3::bigint AND " IN_SCOPE("w.institution_code") " RETURNING w.id), "
        "cancelled AS (UPDATE deliveries d SET status = 'cancelled', last_error = $4 FROM off "
        "  WHERE d.webhook_id = off.id AND d.status IN ('pending', 'sending') RETURNING d.id) "
        "SELECT (SELECT count(*) FROM off)", 4, params, error);
    if (!r)
        return -1;
    int rc = PQgetvalue(r, 0, 0)[0] == '0' ? 1 : 0;
    PQclear(r);
    return rc;
}
