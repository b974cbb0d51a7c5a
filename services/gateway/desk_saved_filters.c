#include "desk_saved_filters.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "desk_filters.h"
#include "staff_api.h"
#include "utf8_text.h"

#define FILTERS_PATH "/api/v1/desk/filters"
#define NAME_MAX_CHARS 80
/* Enough for every view a member works with; a bound so a script cannot grow the table. */
#define SAVED_MAX 50

static const char *object_string(void *filters, const char *name)
{
    return json_string_value(json_object_get(filters, name));
}

/* Only known filters, each a string, valid as the desk reads them. */
static void check_filters(json_t *filters, field_errors_t *errors)
{
    if (!json_is_object(filters)) {
        field_errors_add(errors, "filters", "type", "filters is an object of the desk's query arguments");
        return;
    }
    const char *key;
    json_t *value;
    json_object_foreach(filters, key, value) {
        if (!desk_filters_known(key))
            field_errors_add(errors, key, "unknown", "not a filter of the desk");
        else if (!json_is_string(value))
            field_errors_add(errors, key, "type", "a filter's value is a string, as in the query");
    }
    if (!errors->count)
        desk_filters_check(object_string, filters, errors);
}

static void check_name(const char *name, field_errors_t *errors)
{
    long n = name ? utf8_text_length(name, strlen(name)) : -1;
    if (n < 1 || n > NAME_MAX_CHARS || !utf8_text_is_printable(name, false))
        field_errors_add(errors, "name", "invalid", "a name has 1 to %d printable characters", NAME_MAX_CHARS);
}

static enum MHD_Result list_filters(struct MHD_Connection *c, request_t *req, db_t *db, const char *staff_id)
{
    const char *params[] = {staff_id};
    db_error_t error = {"", ""};
    PGresult *r = db_exec(db, "SELECT id, name, filters::text FROM desk_saved_filters WHERE staff_id = $1::bigint "
                              "ORDER BY name, id", 1, params, &error);
    if (!r)
        return staff_api_unavailable(c, req, &error);
    json_t *items = json_array();
    for (int i = 0; items && i < PQntuples(r); i++)
        json_array_append_new(items, json_pack("{s:I, s:s, s:o}", "id", (json_int_t) strtoll(PQgetvalue(r, i, 0), NULL, 10),
                                               "name", PQgetvalue(r, i, 1), "filters",
                                               json_loads(PQgetvalue(r, i, 2), 0, NULL)));
    PQclear(r);
    json_t *doc = items ? json_pack("{s:o}", "items", items) : NULL;
    return doc ? http_send_json(c, req, 200, doc, NULL) : http_send_problem(c, req, &PROBLEM_INTERNAL, NULL, NULL, NULL);
}

/* 0 stored with *id; 1 the name is taken or the member has SAVED_MAX already (on errors); -1 error. */
static int insert_filter(db_t *db, const char *staff_id, const char *name, const char *filters, long long *id,
                         field_errors_t *errors, db_error_t *error)
{
    char max[16];
    snprintf(max, sizeof max, "%d", SAVED_MAX);
    const char *params[] = {staff_id, name, filters, max};
    PGresult *r = db_exec(db,
        "WITH n AS (SELECT count(*) AS saved FROM desk_saved_filters WHERE staff_id = $1::bigint), "
        "ins AS (INSERT INTO desk_saved_filters (staff_id, name, filters) SELECT $1::bigint, $2, $3::jsonb FROM n "
        "        WHERE n.saved < $4::int ON CONFLICT (staff_id, name) DO NOTHING RETURNING id) "
        "SELECT (SELECT id FROM ins), (SELECT saved FROM n) >= $4::int", 4, params, error);
    if (!r)
        return -1;
    int rc = PQgetisnull(r, 0, 0) ? 1 : 0;
    if (rc == 0)
        *id = strtoll(PQgetvalue(r, 0, 0), NULL, 10);
    else if (PQgetvalue(r, 0, 1)[0] == 't')
        field_errors_add(errors, "name", "too_many", "a member keeps at most %d saved filters", SAVED_MAX);
    else
        field_errors_add(errors, "name", "taken", "you have a saved filter of this name");
    PQclear(r);
    return rc;
}

static enum MHD_Result save_filter(struct MHD_Connection *c, request_t *req, db_t *db, const char *staff_id)
{
    enum MHD_Result rc;
    json_t *root = http_read_json(c, req, &rc);
    if (!root)
        return rc;
    field_errors_t errors;
    field_errors_clear(&errors);
    const char *name = http_json_string(root, "name", true, &errors);
    json_t *filters = json_object_get(root, "filters");
    check_name(name, &errors);
    check_filters(filters, &errors);
    char *text = errors.count ? NULL : json_dumps(filters, JSON_COMPACT | JSON_SORT_KEYS);
    long long id = 0;
    db_error_t error = {"", ""};
    int stored = errors.count ? 1 : text ? insert_filter(db, staff_id, name, text, &id, &errors, &error) : -1;
    if (stored == 0)
        rc = http_send_json(c, req, 201, json_pack("{s:I, s:s, s:O}", "id", (json_int_t) id, "name", name,
                                                   "filters", filters), NULL);
    else if (stored > 0)
        rc = http_send_problem(c, req, &PROBLEM_VALIDATION, "the saved filter is invalid", &errors, NULL);
    else
        rc = text ? staff_api_unavailable(c, req, &error) : http_send_problem(c, req, &PROBLEM_INTERNAL, NULL, NULL, NULL);
    free(text);
    json_decref(root);
    return rc;
}

static enum MHD_Result delete_filter(struct MHD_Connection *c, request_t *req, db_t *db, const char *staff_id,
                                     const char *id)
{
    if (!*id || strspn(id, "0123456789") != strlen(id) || strlen(id) > 18)
        return http_send_problem(c, req, &PROBLEM_NOT_FOUND, "you have no saved filter with this id", NULL, NULL);
    const char *params[] = {id, staff_id};
    db_error_t error = {"", ""};
    PGresult *r = db_exec(db, "DELETE FROM desk_saved_filters WHERE id = $1::bigint AND staff_id = $2::bigint "
                              "RETURNING id", 2, params, &error);
    if (!r)
        return staff_api_unavailable(c, req, &error);
    bool found = PQntuples(r) == 1;
    PQclear(r);
    if (!found)
        return http_send_problem(c, req, &PROBLEM_NOT_FOUND, "you have no saved filter with this id", NULL, NULL);
    return http_send_text(c, req, 204, "text/plain", NULL, NULL);
}

enum MHD_Result desk_saved_filters_route(struct MHD_Connection *c, request_t *req, const char *method, const char *url,
                                         bool *handled)
{
    bool collection = strcmp(url, FILTERS_PATH) == 0;
    bool item = strncmp(url, FILTERS_PATH "/", sizeof FILTERS_PATH) == 0;
    if (!collection && !item)
        return MHD_NO;
    *handled = true;
    req->route = collection ? "desk_filters" : "desk_filter";
    bool get = strcmp(method, "GET") == 0 || strcmp(method, "HEAD") == 0, post = strcmp(method, "POST") == 0;
    if (collection ? !(get || post) : strcmp(method, "DELETE") != 0)
        return http_wrong_method(c, req, collection ? "GET, HEAD, POST" : "DELETE");
    staff_member_t who;
    enum MHD_Result rc;
    db_t *db = staff_api_signed_in(c, req, &who, &rc);
    if (!db)
        return rc;
    char staff_id[24];
    snprintf(staff_id, sizeof staff_id, "%lld", (long long) who.id);
    if (item)
        return delete_filter(c, req, db, staff_id, url + sizeof FILTERS_PATH);
    return post ? save_filter(c, req, db, staff_id) : list_filters(c, req, db, staff_id);
}
