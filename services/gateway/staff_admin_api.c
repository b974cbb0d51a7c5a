#include "staff_admin_api.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "logger.h"
#include "password_slots.h"
#include "report_json.h"
#include "report_lifecycle.h"
#include "secret_token.h"
#include "staff_account_admin.h"
#include "staff_api.h"

#define STAFF_PATH "/api/v1/staff"
#define PAGE_MAX 200

typedef enum { ACT_DEACTIVATE, ACT_REACTIVATE, ACT_PASSWORD, ACT_ROLE, ACT_NONE } staff_act_t;

static const char *const act_names[] = {"deactivate", "reactivate", "password", "role"};

/* For /staff/{username}/{act}: the act with the username copied out; ACT_NONE for another URL. */
static staff_act_t act_of(const char *url, char *username, size_t cap)
{
    static const char prefix[] = STAFF_PATH "/";
    if (strncmp(url, prefix, sizeof prefix - 1) != 0)
        return ACT_NONE;
    const char *name = url + sizeof prefix - 1, *slash = strchr(name, '/');
    if (!slash || slash == name || (size_t) (slash - name) >= cap)
        return ACT_NONE;
    for (staff_act_t a = 0; a < ACT_NONE; a++)
        if (strcmp(slash + 1, act_names[a]) == 0) {
            memcpy(username, name, (size_t) (slash - name));
            username[slash - name] = '\0';
            return a;
        }
    return ACT_NONE;
}

static enum MHD_Result answer(struct MHD_Connection *c, request_t *req, int done, const error_reply_t *refusal,
                              const db_error_t *error, json_t *doc, const char *const *headers)
{
    if (done == 0)
        return http_send_json(c, req, 200, doc, headers);
    json_decref(doc);
    return done > 0 ? http_send_error(c, req, refusal) : staff_api_unavailable(c, req, error);
}

static const char *argument(struct MHD_Connection *c, const char *name)
{
    const char *value = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, name);
    return value && *value ? value : NULL;
}

/* 0 with the filter read, 1 with its errors. */
static int read_filter(struct MHD_Connection *c, staff_list_filter_t *f, field_errors_t *errors)
{
    field_errors_clear(errors);
    const char *limit = argument(c, "limit"), *offset = argument(c, "offset");
    char *end = NULL;
    unsigned long n = limit ? strtoul(limit, &end, 10) : 50;
    if (limit && (*end || n < 1 || n > PAGE_MAX))
        field_errors_add(errors, "limit", "out_of_range", "limit is a whole number 1-%d", PAGE_MAX);
    f->limit = (uint32_t) n;
    n = offset ? strtoul(offset, &end, 10) : 0;
    if (offset && (*end || n > 1000000))
        field_errors_add(errors, "offset", "out_of_range", "offset is a whole number 0-1000000");
    f->offset = (uint32_t) n;
    f->institution = argument(c, "institution");
    f->role = argument(c, "role");
    f->active = argument(c, "active");
    if (f->institution && strlen(f->institution) > 32)
        field_errors_add(errors, "institution", "too_long", "an institution code has at most 32 characters");
    if (f->role && !(lifecycle_role_bit(f->role) & ROLE_STAFF))
        field_errors_add(errors, "role", "unknown", "role is national_admin, institution_admin, unit_liaison or analyst");
    if (f->active && strcmp(f->active, "true") != 0 && strcmp(f->active, "false") != 0)
        field_errors_add(errors, "active", "invalid", "active is true or false");
    return errors->count ? 1 : 0;
}

static json_t *entry_json(const staff_entry_t *e)
{
    char created[32];
    report_json_time(e->created_at_ms, created);
    json_t *doc = json_pack("{s:s, s:s, s:s, s:s, s:s, s:b, s:s}", "username", e->username, "display_name",
                            e->display_name, "role", e->role, "institution", e->institution, "language", e->language,
                            "active", e->active, "created_at", created);
    if (doc && *e->email)
        json_object_set_new(doc, "email", json_string(e->email));
    return doc;
}

static enum MHD_Result list_staff(struct MHD_Connection *c, request_t *req, db_t *db, const staff_member_t *admin)
{
    staff_list_filter_t filter;
    field_errors_t errors;
    if (read_filter(c, &filter, &errors) != 0)
        return http_send_problem(c, req, &PROBLEM_VALIDATION, "the filters are invalid", &errors, NULL);
    staff_list_t list;
    error_reply_t refusal;
    db_error_t error = {"", ""};
    int done = staff_account_admin_list(db, admin, &filter, &list, &refusal, &error);
    json_t *items = json_array(), *doc = NULL;
    for (size_t i = 0; done == 0 && items && i < list.count; i++)
        json_array_append_new(items, entry_json(&list.items[i]));
    doc = json_pack("{s:o, s:I, s:i, s:i}", "items", items, "total", (json_int_t) list.total, "limit", (int) filter.limit,
                    "offset", (int) filter.offset);
    staff_list_clear(&list);
    if (done == 0 && !doc)
        return http_send_problem(c, req, &PROBLEM_INTERNAL, NULL, NULL, NULL);
    return answer(c, req, done, &refusal, &error, doc, NULL);
}

/* Hashing the new password is an argon2id run, under a password slot. */
static enum MHD_Result create_staff(struct MHD_Connection *c, request_t *req, db_t *db, const staff_member_t *creator)
{
    enum MHD_Result rc;
    json_t *root = http_read_json(c, req, &rc);
    if (!root)
        return rc;
    field_errors_t errors;
    field_errors_clear(&errors);
    staff_account_t account = {http_json_string(root, "username", false, &errors), http_json_string(root, "display_name", false, &errors),
                               http_json_string(root, "role", false, &errors), http_json_string(root, "institution", false, &errors),
                               http_json_string(root, "password", false, &errors), http_json_string(root, "email", false, &errors),
                               http_json_string(root, "language", false, &errors)};
    db_error_t error = {"", ""};
    error_reply_t refusal;
    if (errors.count)
        rc = http_send_problem(c, req, &PROBLEM_VALIDATION, "the account has invalid fields", &errors, NULL);
    else if (staff_api_enter_password_slot(c, req, &rc)) {
        int created = staff_accounts_create(db, &account, creator, &refusal, &error);
        password_slots_leave();
        if (created == 0)
            logger_info("%s created staff account %s (%s at %s)", creator->username, account.username, account.role,
                        account.institution);
        json_t *doc = created ? NULL : json_pack("{s:s, s:s, s:s, s:s, s:s?, s:s, s:b}", "username", account.username,
                                                 "display_name", account.display_name, "role", account.role,
                                                 "institution", account.institution, "email", account.email,
                                                 "language", account.language ? account.language : "id", "active", 1);
        rc = created == 0 ? http_send_json(c, req, 201, doc, NULL) : answer(c, req, created, &refusal, &error, doc, NULL);
    }
    json_decref(root);
    return rc;
}

static enum MHD_Result set_active(struct MHD_Connection *c, request_t *req, db_t *db, const staff_member_t *admin,
                                  const char *username, bool active)
{
    error_reply_t refusal;
    db_error_t error = {"", ""};
    int done = staff_account_admin_set_active(db, username, active, admin, &refusal, &error);
    if (done == 0)
        logger_info("%s %s staff account %s", admin->username, active ? "reactivated" : "deactivated", username);
    return answer(c, req, done, &refusal, &error, json_pack("{s:s, s:b}", "username", username, "active", active),
                  NULL);
}

/* A password the admin sends, or one made here and shown in this answer only. */
static enum MHD_Result reset_password(struct MHD_Connection *c, request_t *req, db_t *db, const staff_member_t *admin,
                                      const char *username)
{
    static const char *const no_store[] = {"Cache-Control", "no-store", NULL};
    enum MHD_Result rc;
    json_t *root = http_read_json(c, req, &rc);
    if (!root)
        return rc;
    field_errors_t errors;
    field_errors_clear(&errors);
    const char *given = http_json_string(root, "password", false, &errors);
    char generated[SECRET_TOKEN_LEN + 1] = "";
    if (errors.count)
        rc = http_send_problem(c, req, &PROBLEM_VALIDATION, "password is a string, or absent", &errors, NULL);
    else if (!given && secret_token_generate(generated) != 0)
        rc = http_send_problem(c, req, &PROBLEM_INTERNAL, NULL, NULL, NULL);
    else if (staff_api_enter_password_slot(c, req, &rc)) {
        error_reply_t refusal;
        db_error_t error = {"", ""};
        int done = staff_account_admin_reset_password(db, username, given ? given : generated, admin, &refusal, &error);
        password_slots_leave();
        if (done == 0)
            logger_info("%s reset the password of staff account %s", admin->username, username);
        json_t *doc = json_pack("{s:s, s:b}", "username", username, "sessions_ended", 1);
        if (doc && !given)
            json_object_set_new(doc, "password", json_string(generated));
        rc = answer(c, req, done, &refusal, &error, doc, no_store);
    }
    sodium_memzero(generated, sizeof generated);
    json_decref(root);
    return rc;
}

static enum MHD_Result change_role(struct MHD_Connection *c, request_t *req, db_t *db, const staff_member_t *admin,
                                   const char *username)
{
    enum MHD_Result rc;
    json_t *root = http_read_json(c, req, &rc);
    if (!root)
        return rc;
    field_errors_t errors;
    field_errors_clear(&errors);
    const char *role = http_json_string(root, "role", false, &errors);
    const char *institution = http_json_string(root, "institution", false, &errors);
    if (errors.count)
        rc = http_send_problem(c, req, &PROBLEM_VALIDATION, "the change has invalid fields", &errors, NULL);
    else {
        error_reply_t refusal;
        db_error_t error = {"", ""};
        int done = staff_account_admin_change(db, username, role, institution, admin, &refusal, &error);
        if (done == 0)
            logger_info("%s changed staff account %s", admin->username, username);
        rc = answer(c, req, done, &refusal, &error,
                    json_pack("{s:s, s:s?, s:s?, s:b}", "username", username, "role", role, "institution", institution,
                              "sessions_ended", 1), NULL);
    }
    json_decref(root);
    return rc;
}

static enum MHD_Result act(struct MHD_Connection *c, request_t *req, db_t *db, const staff_member_t *admin,
                           staff_act_t a, const char *username)
{
    switch (a) {
    case ACT_DEACTIVATE: return set_active(c, req, db, admin, username, false);
    case ACT_REACTIVATE: return set_active(c, req, db, admin, username, true);
    case ACT_PASSWORD: return reset_password(c, req, db, admin, username);
    default: return change_role(c, req, db, admin, username);
    }
}

enum MHD_Result staff_admin_api_route(struct MHD_Connection *c, request_t *req, const char *method, const char *url,
                                      bool *handled)
{
    static const char *const routes[] = {"staff_deactivate", "staff_reactivate", "staff_password", "staff_role"};
    char username[sizeof ((staff_member_t *) NULL)->username];
    bool collection = strcmp(url, STAFF_PATH) == 0;
    staff_act_t a = collection ? ACT_NONE : act_of(url, username, sizeof username);
    if (!collection && a == ACT_NONE)
        return MHD_NO;
    *handled = true;
    req->route = collection ? "staff" : routes[a];
    bool post = strcmp(method, "POST") == 0, get = strcmp(method, "GET") == 0 || strcmp(method, "HEAD") == 0;
    if (!post && !(collection && get))
        return http_wrong_method(c, req, collection ? "GET, HEAD, POST" : "POST");
    staff_member_t who;
    enum MHD_Result rc;
    db_t *db = staff_api_signed_in(c, req, &who, &rc);
    if (!db)
        return rc;
    if (collection)
        return post ? create_staff(c, req, db, &who) : list_staff(c, req, db, &who);
    return act(c, req, db, &who, a, username);
}
