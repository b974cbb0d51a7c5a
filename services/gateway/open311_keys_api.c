#include "open311_keys_api.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "open311_keys.h"
#include "staff_api.h"

#define KEYS_PATH "/api/v1/admin/open311-keys"

/* A national admin signed in: true; false with 401/403/503 sent in *rc. */
static bool national_admin(struct MHD_Connection *c, request_t *req, enum MHD_Result *rc)
{
    staff_member_t who;
    if (!staff_api_authenticate(c, req, &who, rc))
        return false;
    if (strcmp(who.role, "national_admin") == 0)
        return true;
    *rc = http_send_problem(c, req, &PROBLEM_FORBIDDEN, "only a national admin manages Open311 keys", NULL, NULL);
    return false;
}

static enum MHD_Result issue(struct MHD_Connection *c, request_t *req, db_t *db)
{
    enum MHD_Result rc;
    json_t *root = http_read_json(c, req, &rc);
    if (!root)
        return rc;
    field_errors_t errors;
    field_errors_clear(&errors);
    open311_app_spec_t spec = {http_json_string(root, "name", true, &errors),
                               http_json_string(root, "region", true, &errors), false};
    json_t *answer_token = json_object_get(root, "answer_token");
    if (answer_token && !json_is_boolean(answer_token))
        field_errors_add(&errors, "answer_token", "type", "answer_token is true or false");
    spec.answer_token = json_is_true(answer_token);
    char key[SECRET_TOKEN_LEN + 1], channel[64];
    const char *why = NULL;
    db_error_t error = {"", ""};
    int issued = errors.count ? 1 : open311_keys_issue(db, &spec, key, &why, &error);
    if (issued == 1 && why)
        field_errors_add(&errors, "name", "invalid", "%s", why);
    if (issued < 0)
        rc = staff_api_unavailable(c, req, &error);
    else if (issued > 0)
        rc = http_send_problem(c, req, &PROBLEM_VALIDATION, "the key cannot be issued", &errors, NULL);
    else {
        snprintf(channel, sizeof channel, "%s%s", REPORT_OPEN311_CHANNEL_PREFIX, spec.name);
        static const char *const headers[] = {"Cache-Control", "no-store", NULL};
        rc = http_send_json(c, req, 201, json_pack("{s:s, s:s, s:s, s:b, s:s}", "name", spec.name, "channel", channel,
                                                   "region", spec.region, "answer_token", spec.answer_token,
                                                   "api_key", key), headers);
        sodium_memzero(key, sizeof key);
    }
    json_decref(root);
    return rc;
}

static enum MHD_Result list_keys(struct MHD_Connection *c, request_t *req, db_t *db)
{
    char *json = NULL;
    db_error_t error = {"", ""};
    if (open311_keys_list(db, &json, &error) != 0)
        return staff_api_unavailable(c, req, &error);
    json_t *doc = json_loads(json, 0, NULL);
    free(json);
    return doc ? http_send_json(c, req, 200, doc, NULL) : http_send_problem(c, req, &PROBLEM_INTERNAL, NULL, NULL, NULL);
}

static enum MHD_Result revoke_key(struct MHD_Connection *c, request_t *req, db_t *db, const char *name)
{
    db_error_t error = {"", ""};
    int rc = open311_keys_revoke(db, name, &error);
    if (rc < 0)
        return staff_api_unavailable(c, req, &error);
    if (rc > 0)
        return http_send_problem(c, req, &PROBLEM_NOT_FOUND, "no key of that name is in force", NULL, NULL);
    return http_send_text(c, req, 204, "text/plain", NULL, NULL);
}

enum MHD_Result open311_keys_api_route(struct MHD_Connection *c, request_t *req, const char *method, const char *url,
                                       bool *handled)
{
    bool collection = strcmp(url, KEYS_PATH) == 0;
    bool item = strncmp(url, KEYS_PATH "/", sizeof KEYS_PATH) == 0 && url[sizeof KEYS_PATH] && !strchr(url + sizeof KEYS_PATH, '/');
    if (!collection && !item)
        return MHD_NO;
    *handled = true;
    req->route = collection ? "open311_keys" : "open311_key";
    bool post = strcmp(method, "POST") == 0, get = strcmp(method, "GET") == 0, del = strcmp(method, "DELETE") == 0;
    if (collection ? !(post || get) : !del)
        return http_wrong_method(c, req, collection ? "GET, POST" : "DELETE");
    enum MHD_Result rc;
    if (!national_admin(c, req, &rc))
        return rc;
    db_error_t error = {"", ""};
    db_t *db = staff_api_db(&error);
    if (!db)
        return staff_api_unavailable(c, req, &error);
    if (item)
        return revoke_key(c, req, db, url + sizeof KEYS_PATH);
    return post ? issue(c, req, db) : list_keys(c, req, db);
}
