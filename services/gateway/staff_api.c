#include "staff_api.h"

#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "desk_filters.h"
#include "logger.h"
#include "msgpack_fields.h"
#include "password_slots.h"
#include "report_json.h"
#include "report_lifecycle.h"
#include "report_step_codec.h"
#include "request_limits.h"
#include "staff_accounts.h"
#include "staff_query_codec.h"
#include "tracking_id.h"

#define API "/api/v1"

/* How long a password check waits for a hashing slot: about two argon2id runs, so that a few
 * sign-ins at once are all served while a flood is turned away without holding HTTP threads. */
#define PASSWORD_SLOT_WAIT_MS 250

static char *staff_db_url;
static long session_ttl_minutes, session_idle_minutes;
static long statement_timeout_ms;
static pthread_key_t db_key;

static void destroy_db(void *db)
{
    db_t *d = db;
    db_destroy(&d);
}

int staff_api_setup(const char *db_url, long ttl_minutes, long idle_minutes, long timeout_ms)
{
    session_ttl_minutes = ttl_minutes;
    session_idle_minutes = idle_minutes;
    statement_timeout_ms = timeout_ms;
    return (staff_db_url = strdup(db_url)) && pthread_key_create(&db_key, destroy_db) == 0 ? 0 : -1;
}

void staff_api_teardown(void)
{
    destroy_db(pthread_getspecific(db_key));
    pthread_setspecific(db_key, NULL);
    pthread_key_delete(db_key);
    free(staff_db_url);
    staff_db_url = NULL;
}

db_t *staff_api_db(db_error_t *error)
{
    db_t *db = pthread_getspecific(db_key);
    if (!db) {
        if (!(db = db_new(staff_db_url)) || pthread_setspecific(db_key, db) != 0) {
            db_destroy(&db);
            snprintf(error->message, sizeof error->message, "out of memory");
            return NULL;
        }
        db_set_statement_timeout(db, statement_timeout_ms);
    }
    if (!db_is_connected(db) && db_connect(db, 0, error) != 0)
        return NULL;
    return db;
}

enum MHD_Result staff_api_unavailable(struct MHD_Connection *c, request_t *req, const db_error_t *error)
{
    static const char *const retry[] = {"Retry-After", "2", NULL};
    logger_warn("accounts database: %s", error->message);
    return http_send_problem(c, req, &PROBLEM_UNAVAILABLE, "the database is not reachable; try again", NULL, retry);
}

bool staff_api_authenticate(struct MHD_Connection *c, request_t *req, staff_member_t *who, enum MHD_Result *rc)
{
    static const char *const challenge[] = {"WWW-Authenticate", "Bearer", NULL};
    const char *token = http_bearer_token(c);
    db_error_t error = {"", ""};
    db_t *db = token ? staff_api_db(&error) : NULL;
    if (token && !db) {
        *rc = staff_api_unavailable(c, req, &error);
        return false;
    }
    int found = token ? staff_accounts_session(db, token, session_idle_minutes, who, &error) : 1;
    if (found < 0)
        *rc = staff_api_unavailable(c, req, &error);
    else if (found > 0)
        *rc = http_send_problem(c, req, &PROBLEM_UNAUTHORIZED, "sign in at POST /api/v1/sessions and send "
                                "Authorization: Bearer <token>", NULL, challenge);
    return found == 0;
}

bool staff_api_actor(struct MHD_Connection *c, request_t *req, command_actor_t *actor, enum MHD_Result *rc)
{
    staff_member_t who;
    if (!staff_api_authenticate(c, req, &who, rc))
        return false;
    actor->id = who.id;
    snprintf(actor->role, sizeof actor->role, "%s", who.role);
    snprintf(actor->username, sizeof actor->username, "%s", who.username);
    snprintf(actor->institution, sizeof actor->institution, "%s", who.institution);
    return true;
}

db_t *staff_api_signed_in(struct MHD_Connection *c, request_t *req, staff_member_t *who, enum MHD_Result *rc)
{
    if (!staff_api_authenticate(c, req, who, rc))
        return NULL;
    db_error_t error = {"", ""};
    db_t *db = staff_api_db(&error);
    if (!db)
        *rc = staff_api_unavailable(c, req, &error);
    return db;
}

int staff_api_session_stands(const char *token)
{
    db_error_t error = {"", ""};
    db_t *db = staff_api_db(&error);
    int rc = db ? staff_accounts_session_stands(db, token, session_idle_minutes, &error) : -1;
    if (rc < 0)
        logger_warn("session check: %s", error.message);
    return rc;
}

bool staff_api_enter_password_slot(struct MHD_Connection *c, request_t *req, enum MHD_Result *rc)
{
    static const char *const retry[] = {"Retry-After", "1", NULL};
    if (password_slots_enter(PASSWORD_SLOT_WAIT_MS))
        return true;
    logger_warn("every password check slot is taken");
    *rc = http_send_problem(c, req, &PROBLEM_UNAVAILABLE, "too many password checks at once; try again", NULL, retry);
    return false;
}

static json_t *member_json(const staff_member_t *who)
{
    return json_pack("{s:s, s:s, s:s, s:s}", "username", who->username, "display_name", who->display_name,
                     "role", who->role, "institution", who->institution);
}

static enum MHD_Result sign_in(struct MHD_Connection *c, request_t *req)
{
    enum MHD_Result rc;
    json_t *root = http_read_json(c, req, &rc);
    if (!root)
        return rc;
    field_errors_t errors;
    field_errors_clear(&errors);
    const char *username = http_json_string(root, "username", false, &errors), *password = http_json_string(root, "password", false, &errors);
    if (!username || !password || errors.count) {
        json_decref(root);
        return http_send_problem(c, req, &PROBLEM_VALIDATION, "send username and password", &errors, NULL);
    }
    if (!request_limits_admit(c, req, RATE_SIGN_IN, username, &rc)) {
        json_decref(root);
        return rc;
    }
    if (!staff_api_enter_password_slot(c, req, &rc)) {
        json_decref(root);
        return rc;
    }
    char token[SECRET_TOKEN_LEN + 1], expires[32];
    int64_t expires_ms = 0;
    staff_member_t who;
    db_error_t error = {"", ""};
    db_t *db = staff_api_db(&error);
    int signed_in = db ? staff_accounts_login(db, username, password, session_ttl_minutes, token, &expires_ms, &who, &error) : -1;
    password_slots_leave();
    json_decref(root);
    if (signed_in < 0)
        return staff_api_unavailable(c, req, &error);
    if (signed_in > 0) {
        logger_info("sign-in refused");
        return http_send_problem(c, req, &PROBLEM_UNAUTHORIZED, "wrong username or password", NULL, NULL);
    }
    report_json_time(expires_ms, expires);
    json_t *doc = json_pack("{s:s, s:s, s:o}", "token", token, "expires_at", expires, "staff", member_json(&who));
    sodium_memzero(token, sizeof token);
    static const char *const headers[] = {"Cache-Control", "no-store", NULL};
    logger_info("signed in: %s (%s)", who.username, who.role);
    return http_send_json(c, req, 201, doc, headers);
}

static enum MHD_Result current_session(struct MHD_Connection *c, request_t *req, const char *method)
{
    staff_member_t who;
    enum MHD_Result rc;
    if (!staff_api_authenticate(c, req, &who, &rc))
        return rc;
    if (strcmp(method, "DELETE") != 0)
        return http_send_json(c, req, 200, json_pack("{s:o}", "staff", member_json(&who)), NULL);
    db_error_t error = {"", ""};
    db_t *db = staff_api_db(&error);
    if (!db || staff_accounts_logout(db, http_bearer_token(c), &error) != 0)
        return staff_api_unavailable(c, req, &error);
    return http_send_text(c, req, 204, "text/plain", NULL, NULL);
}

/* DELETE /sessions: every session of the member ends, this one too (a token may have leaked). */
static enum MHD_Result sign_out_everywhere(struct MHD_Connection *c, request_t *req)
{
    staff_member_t who;
    enum MHD_Result rc;
    if (!staff_api_authenticate(c, req, &who, &rc))
        return rc;
    db_error_t error = {"", ""};
    db_t *db = staff_api_db(&error);
    if (!db || staff_accounts_logout_everywhere(db, who.id, &error) != 0)
        return staff_api_unavailable(c, req, &error);
    logger_info("%s signed out everywhere", who.username);
    return http_send_text(c, req, 204, "text/plain", NULL, NULL);
}

/* Passes a staff.document on as the JSON it is. */
static enum MHD_Result query(struct MHD_Connection *c, request_t *req, command_peer_t peer, const staff_query_t *q)
{
    unsigned char *body = NULL;
    size_t size = 0;
    int encoded = staff_query_encode(q, &body, &size);
    return http_document_command(c, req, peer, MSG_STAFF_QUERY, encoded, body, size, 200);
}

static uint32_t number_argument(struct MHD_Connection *c, const char *name, uint32_t fallback)
{
    const char *text = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, name);
    char *end = NULL;
    unsigned long value = text ? strtoul(text, &end, 10) : fallback;
    return text && (*end || end == text || value > 1000000) ? fallback : (uint32_t) value;
}

/* The query of a view, owning copies of what it names. 0, or -1 when out of memory. */
static int fill_query(struct MHD_Connection *c, const char *view, const staff_member_t *who, const char *tracking_id,
                      staff_query_t *q)
{
    memset(q, 0, sizeof *q);
    q->limit = number_argument(c, "limit", 50);
    q->offset = number_argument(c, "offset", 0);
    if (mpf_set_string(&q->view, view) != 0 || mpf_set_string(&q->actor_role, who->role) != 0
        || mpf_set_string(&q->actor_id, who->username) != 0
        || mpf_set_string(&q->actor_institution, who->institution) != 0
        || mpf_set_string(&q->tracking_id, tracking_id) != 0
        || mpf_set_string(&q->status, MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "status")) != 0
        || mpf_set_string(&q->institution, MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "institution")) != 0)
        return -1;
    return 0;
}

/* A view for the signed-in member; `typed_id` (as typed) only for the view of one report. */
static enum MHD_Result list(struct MHD_Connection *c, request_t *req, const char *view, const char *typed_id)
{
    staff_member_t who;
    enum MHD_Result rc;
    if (!staff_api_authenticate(c, req, &who, &rc))
        return rc;
    char tracking_id[TRACKING_ID_LEN + 1];
    if (typed_id && tracking_id_normalize(typed_id, tracking_id) != 0)
        return http_send_problem(c, req, &PROBLEM_NOT_FOUND, "no report has this tracking id", NULL, NULL);
    staff_query_t q;
    field_errors_t errors;
    int filtered = 0;
    if (fill_query(c, view, &who, typed_id ? tracking_id : NULL, &q) != 0
        || (!typed_id && (filtered = desk_filters_read(c, &q, &errors)) < 0))
        rc = http_send_problem(c, req, &PROBLEM_INTERNAL, NULL, NULL, NULL);
    else if (filtered == 1)
        rc = http_send_problem(c, req, &PROBLEM_VALIDATION, "the filters are invalid", &errors, NULL);
    else
        rc = query(c, req, strcmp(view, "reports") == 0 || strcmp(view, "report") == 0 ? PEER_ROUTE : PEER_VERIFY, &q);
    staff_query_clear(&q);
    return rc;
}

enum MHD_Result staff_api_route(struct MHD_Connection *c, request_t *req, const char *method, const char *url, bool *handled)
{
    static const char reports[] = API "/staff/reports/";
    bool get = strcmp(method, "GET") == 0 || strcmp(method, "HEAD") == 0;
    *handled = true;
    if (strcmp(url, API "/sessions") == 0) {
        req->route = "sessions";
        if (strcmp(method, "DELETE") == 0)
            return sign_out_everywhere(c, req);
        return strcmp(method, "POST") == 0 ? sign_in(c, req) : http_wrong_method(c, req, "POST, DELETE");
    }
    if (strcmp(url, API "/sessions/current") == 0) {
        req->route = "session";
        return get || strcmp(method, "DELETE") == 0 ? current_session(c, req, method)
                                                     : http_wrong_method(c, req, "GET, HEAD, DELETE");
    }
    if (strcmp(url, API "/reason-codes") == 0) {
        req->route = "reason_codes";
        return get ? list(c, req, "reasons", NULL) : http_wrong_method(c, req, "GET, HEAD");
    }
    if (strcmp(url, API "/desk") == 0 || strcmp(url, API "/staff/reports") == 0) {
        req->route = strcmp(url, API "/desk") == 0 ? "desk" : "staff_reports";
        return get ? list(c, req, strcmp(req->route, "desk") == 0 ? "desk" : "reports", NULL)
                   : http_wrong_method(c, req, "GET, HEAD");
    }
    if (strncmp(url, reports, sizeof reports - 1) == 0 && !strchr(url + sizeof reports - 1, '/')) {
        req->route = "staff_report";
        return get ? list(c, req, "report", url + sizeof reports - 1) : http_wrong_method(c, req, "GET, HEAD");
    }
    *handled = false;
    return MHD_NO;
}
