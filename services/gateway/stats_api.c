#include "stats_api.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "csv_table.h"
#include "msgpack_fields.h"
#include "report_rules.h"
#include "request_limits.h"
#include "staff_api.h"
#include "stats_query_codec.h"
#include "tracking_id.h"

#define API "/api/v1"

typedef struct {
    const char *path;
    const char *view;       /* as stats.query names it */
    const char *route;
    const char *csv_name;   /* exports: the file's name; NULL for the other views */
} stats_route_t;

/* The filter arguments, passed on as written: the server reads and checks them all. */
static const struct { const char *name; size_t offset; } filter_args[] = {
    {"group_by", offsetof(stats_query_t, group_by)}, {"period", offsetof(stats_query_t, period)},
    {"from", offsetof(stats_query_t, from)}, {"to", offsetof(stats_query_t, to)},
    {"institution", offsetof(stats_query_t, institution)}, {"level", offsetof(stats_query_t, level)},
    {"region", offsetof(stats_query_t, region)}, {"category", offsetof(stats_query_t, category)},
    {"classification", offsetof(stats_query_t, classification)}, {"channel", offsetof(stats_query_t, channel)},
    {"order", offsetof(stats_query_t, order)}, {"min_reports", offsetof(stats_query_t, min_reports)},
};

static const char *arg(struct MHD_Connection *c, const char *name)
{
    const char *value = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, name);
    return value && *value ? value : NULL;
}

/* The query of the view for `who` (NULL: the public). 0, 1 an argument too long to be valid,
 * -1 out of memory; the caller clears *q either way. */
static int build_query(struct MHD_Connection *c, const char *view, const staff_member_t *who, stats_query_t *q)
{
    memset(q, 0, sizeof *q);
    if (mpf_set_string(&q->view, view) != 0)
        return -1;
    if (who && (mpf_set_string(&q->actor_role, who->role) != 0 || mpf_set_string(&q->actor_id, who->username) != 0
                || mpf_set_string(&q->actor_institution, who->institution) != 0))
        return -1;
    for (size_t i = 0; i < sizeof filter_args / sizeof filter_args[0]; i++) {
        const char *value = arg(c, filter_args[i].name);
        if (value && strlen(value) > STATS_QUERY_TEXT_MAX)
            return 1;
        if (mpf_set_string((char **) ((char *) q + filter_args[i].offset), value) != 0)
            return -1;
    }
    return 0;
}

/* An export as CSV: the rows of the document's "groups" or "items"; its "as_of", which a CSV file
 * has no place for, in X-Aduan-As-Of. */
static enum MHD_Result send_csv(struct MHD_Connection *c, request_t *req, const char *json, const char *name)
{
    json_t *doc = json_loads(json, 0, NULL);
    json_t *rows = json_object_get(doc, "groups") ? json_object_get(doc, "groups") : json_object_get(doc, "items");
    char *csv = rows ? csv_table_render(rows) : NULL;
    const char *stamp = json_string_value(json_object_get(doc, "as_of"));
    char as_of[40];
    snprintf(as_of, sizeof as_of, "%s", stamp ? stamp : "");
    json_decref(doc);
    if (!csv)
        return http_send_problem(c, req, &PROBLEM_INTERNAL, NULL, NULL, NULL);
    char disposition[96];
    snprintf(disposition, sizeof disposition, "attachment; filename=\"aduan-%s.csv\"", name);
    const char *const headers[] = {"Content-Disposition", disposition, "Cache-Control", "no-store", "X-Aduan-As-Of",
                                   as_of, NULL};
    /* An empty selection has no columns to name: an empty file, without a header row. */
    const char *type = csv[0] ? "text/csv; charset=utf-8; header=present" : "text/csv; charset=utf-8; header=absent";
    return http_send_text(c, req, 200, type, csv, headers);
}

/* Sends the query and answers with its document (JSON, or CSV when asked for `csv_name`). */
static enum MHD_Result ask(struct MHD_Connection *c, request_t *req, const stats_query_t *q, const char *csv_name,
                           bool staff)
{
    unsigned char *body = NULL;
    size_t size = 0;
    char reason[256];
    if (stats_query_encode(q, &body, &size) != 0)
        return http_send_problem(c, req, &PROBLEM_INTERNAL, NULL, NULL, NULL);
    envelope_t *reply = http_command(req, PEER_STATS, MSG_STATS_QUERY, body, size, reason, sizeof reason);
    stats_document_t document;
    enum MHD_Result rc;
    if (!reply || strcmp(reply->type, MSG_STATS_DOCUMENT) != 0
        || stats_document_decode(reply->body, reply->body_size, &document, reason, sizeof reason) != 0)
        rc = http_send_command_failure(c, req, reply, reason);
    else if (csv_name) {
        rc = send_csv(c, req, document.json, csv_name);
        stats_document_clear(&document);
    } else {
        static const char *const private_headers[] = {"Cache-Control", "no-store", NULL};
        rc = http_send_text(c, req, 200, "application/json; charset=utf-8", document.json,
                            staff ? private_headers : NULL);
    }
    envelope_destroy(&reply);
    return rc;
}

static enum MHD_Result stats_view(struct MHD_Connection *c, request_t *req, const char *method,
                                  const stats_route_t *route)
{
    if (strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0)
        return http_wrong_method(c, req, "GET, HEAD");
    const char *format = arg(c, "format") ? arg(c, "format") : "json";
    if (route->csv_name && strcmp(format, "csv") != 0 && strcmp(format, "json") != 0)
        return http_send_problem(c, req, &PROBLEM_VALIDATION, "format is csv or json", NULL, NULL);
    /* Any Authorization header asks for a member's view: a malformed one is a 401, never public. */
    bool staff = MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_AUTHORIZATION) != NULL;
    staff_member_t who;
    enum MHD_Result rc;
    if (staff && !staff_api_authenticate(c, req, &who, &rc))
        return rc;
    static const char *const challenge[] = {"WWW-Authenticate", "Bearer", NULL};
    if (strcmp(route->view, "export_reports") == 0 && !staff)
        return http_send_problem(c, req, &PROBLEM_UNAUTHORIZED, "exports of reports are for staff", NULL, challenge);
    stats_query_t q;
    int built = build_query(c, route->view, staff ? &who : NULL, &q);
    if (built == 0)
        rc = ask(c, req, &q, route->csv_name && strcmp(format, "csv") == 0 ? route->csv_name : NULL, staff);
    else if (built == 1)
        rc = http_send_problem(c, req, &PROBLEM_VALIDATION, "a query argument is longer than any valid value", NULL,
                               NULL);
    else
        rc = http_send_problem(c, req, &PROBLEM_INTERNAL, NULL, NULL, NULL);
    stats_query_clear(&q);
    return rc;
}

/* "answers": nine elements, each 1..4 or null (left out, 0), at least one given. */
static bool read_answers(json_t *root, uint32_t answers[SURVEY_ANSWER_ELEMENTS], field_errors_t *errors)
{
    json_t *list = json_object_get(root, "answers"), *item;
    size_t i;
    int given = 0;
    if (!json_is_array(list) || json_array_size(list) != SURVEY_ANSWER_ELEMENTS) {
        field_errors_add(errors, "answers", "invalid", "answers is a list of 9 values (U1..U9), each 1..4 or null");
        return false;
    }
    json_array_foreach(list, i, item) {
        json_int_t value = json_is_integer(item) ? json_integer_value(item) : 0;
        if (!json_is_null(item) && (value < 1 || value > 4)) {
            field_errors_add(errors, "answers", "out_of_range", "U%zu must be 1, 2, 3, 4 or null", i + 1);
            return false;
        }
        answers[i] = (uint32_t) value;
        given += value > 0;
    }
    if (given == 0)
        field_errors_add(errors, "answers", "required", "answer at least one element");
    return given > 0;
}

/* The respondent of the answers in *a: the reporter of `tracking_id` with the bearer token, or
 * the service user's institution from the body. 0, 1 invalid (errors), -1 out of memory. */
static int respondent(struct MHD_Connection *c, json_t *root, const char *tracking_id, survey_answer_t *a,
                      field_errors_t *errors)
{
    if (tracking_id) {
        const char *token = http_bearer_token(c);
        if (mpf_set_string(&a->tracking_id, tracking_id) != 0 || mpf_set_string(&a->reporter_token, token ? token : "") != 0)
            return -1;
        return 0;
    }
    const char *institution = http_json_string(root, "institution", true, errors);
    const char *code = http_json_string(root, "code", true, errors);
    if (institution && strlen(institution) > REPORT_CODE_MAX)
        field_errors_add(errors, "institution", "too_long", "an institution code has at most %d characters",
                         REPORT_CODE_MAX);
    if (code && strlen(code) > SURVEY_CODE_MAX)
        field_errors_add(errors, "code", "unknown", "not an unused survey code of this institution");
    if (errors->count)
        return 1;
    if (mpf_set_string(&a->institution, institution) != 0 || mpf_set_string(&a->code, code) != 0)
        return -1;
    return 0;
}

static enum MHD_Result record(struct MHD_Connection *c, request_t *req, const survey_answer_t *a)
{
    unsigned char *body = NULL;
    size_t size = 0;
    char reason[256];
    if (survey_answer_encode(a, &body, &size) != 0)
        return http_send_problem(c, req, &PROBLEM_INTERNAL, NULL, NULL, NULL);
    envelope_t *reply = http_command(req, PEER_STATS, MSG_SURVEY_ANSWER, body, size, reason, sizeof reason);
    survey_recorded_t recorded;
    enum MHD_Result rc;
    if (reply && strcmp(reply->type, MSG_SURVEY_RECORDED) == 0
        && survey_recorded_decode(reply->body, reply->body_size, &recorded, reason, sizeof reason) == 0) {
        survey_recorded_clear(&recorded);
        rc = http_send_json(c, req, 201, json_pack("{s:b}", "recorded", 1), NULL);
    } else
        rc = http_send_command_failure(c, req, reply, reason);
    envelope_destroy(&reply);
    return rc;
}

static enum MHD_Result answer_survey(struct MHD_Connection *c, request_t *req, const char *typed_id)
{
    enum MHD_Result rc;
    json_t *root = http_read_json(c, req, &rc);
    if (!root)
        return rc;
    field_errors_t errors;
    field_errors_clear(&errors);
    survey_answer_t a;
    memset(&a, 0, sizeof a);
    bool valid = read_answers(root, a.answers, &errors);
    char tracking_id[TRACKING_ID_LEN + 1] = "";
    int found = typed_id ? tracking_id_normalize(typed_id, tracking_id) : 0;
    int who = respondent(c, root, typed_id ? tracking_id : NULL, &a, &errors);
    json_decref(root);
    if (!valid || who == 1)
        rc = http_send_problem(c, req, &PROBLEM_VALIDATION, "the answers have invalid fields", &errors, NULL);
    else if (found != 0)
        rc = http_send_problem(c, req, &PROBLEM_NOT_FOUND, "no report with this tracking id and reporter token", NULL,
                               NULL);
    else if (who != 0)
        rc = http_send_problem(c, req, &PROBLEM_INTERNAL, NULL, NULL, NULL);
    else if (request_limits_admit(c, req, RATE_SURVEY, typed_id ? tracking_id : NULL, &rc))
        rc = record(c, req, &a);
    survey_answer_clear(&a);
    return rc;
}

/* The survey.codes command of the body {"institution", "count"} for the admin; 0, 1 invalid
 * (errors), -1 out of memory. */
static int codes_request(json_t *root, const staff_member_t *admin, survey_codes_t *ask, field_errors_t *errors)
{
    const char *institution = http_json_string(root, "institution", true, errors);
    json_t *count = json_object_get(root, "count");
    if (institution && strlen(institution) > REPORT_CODE_MAX)
        field_errors_add(errors, "institution", "too_long", "an institution code has at most %d characters",
                         REPORT_CODE_MAX);
    if (!json_is_integer(count) || json_integer_value(count) < 1 || json_integer_value(count) > SURVEY_CODES_MAX)
        field_errors_add(errors, "count", "out_of_range", "count is a whole number from 1 to %d", SURVEY_CODES_MAX);
    if (errors->count)
        return 1;
    ask->count = (uint32_t) json_integer_value(count);
    if (mpf_set_string(&ask->actor_role, admin->role) != 0 || mpf_set_string(&ask->actor_id, admin->username) != 0
        || mpf_set_string(&ask->actor_institution, admin->institution) != 0
        || mpf_set_string(&ask->institution, institution) != 0)
        return -1;
    return 0;
}

/* Sends survey.codes (body taken) and answers 201 with its document, not to be cached. */
static enum MHD_Result codes_reply(struct MHD_Connection *c, request_t *req, unsigned char *body, size_t size)
{
    static const char *const no_store[] = {"Cache-Control", "no-store", NULL};
    char reason[256];
    envelope_t *reply = http_command(req, PEER_STATS, MSG_SURVEY_CODES, body, size, reason, sizeof reason);
    stats_document_t document;
    enum MHD_Result rc;
    if (!reply || strcmp(reply->type, MSG_STATS_DOCUMENT) != 0
        || stats_document_decode(reply->body, reply->body_size, &document, reason, sizeof reason) != 0)
        rc = http_send_command_failure(c, req, reply, reason);
    else
        rc = http_send_text(c, req, 201, "application/json; charset=utf-8", document.json, no_store);
    envelope_destroy(&reply);
    return rc;
}

/* POST /survey-codes: aduan-stats issues them (it owns the survey tables); the codes are shown
 * in this answer only. */
static enum MHD_Result issue_codes(struct MHD_Connection *c, request_t *req)
{
    staff_member_t admin;
    enum MHD_Result rc;
    if (!staff_api_authenticate(c, req, &admin, &rc))
        return rc;
    json_t *root = http_read_json(c, req, &rc);
    if (!root)
        return rc;
    field_errors_t errors;
    field_errors_clear(&errors);
    survey_codes_t ask;
    memset(&ask, 0, sizeof ask);
    int built = codes_request(root, &admin, &ask, &errors);
    json_decref(root);
    unsigned char *body = NULL;
    size_t size = 0;
    if (built == 1)
        rc = http_send_problem(c, req, &PROBLEM_VALIDATION, "the request has invalid fields", &errors, NULL);
    else if (built != 0 || survey_codes_encode(&ask, &body, &size) != 0)
        rc = http_send_problem(c, req, &PROBLEM_INTERNAL, NULL, NULL, NULL);
    else
        rc = codes_reply(c, req, body, size);
    survey_codes_clear(&ask);
    return rc;
}

enum MHD_Result stats_api_route(struct MHD_Connection *c, request_t *req, const char *method, const char *url,
                                bool *handled)
{
    static const stats_route_t views[] = {
        {API "/stats/summary", "summary", "stats_summary", NULL},
        {API "/stats/series", "series", "stats_series", NULL},
        {API "/stats/rankings", "rankings", "stats_rankings", NULL},
        {API "/stats/ikm", "ikm", "stats_ikm", NULL},
        {API "/stats/export/summary", "export_summary", "stats_export_summary", "summary"},
        {API "/stats/export/reports", "export_reports", "stats_export_reports", "reports"},
    };
    *handled = true;
    for (size_t i = 0; i < sizeof views / sizeof views[0]; i++)
        if (strcmp(url, views[i].path) == 0) {
            req->route = views[i].route;
            return stats_view(c, req, method, &views[i]);
        }
    if (strcmp(url, API "/survey-codes") == 0) {
        req->route = "survey_codes";
        return strcmp(method, "POST") == 0 ? issue_codes(c, req) : http_wrong_method(c, req, "POST");
    }
    if (strcmp(url, API "/surveys") == 0) {
        req->route = "surveys";
        return strcmp(method, "POST") == 0 ? answer_survey(c, req, NULL) : http_wrong_method(c, req, "POST");
    }
    static const char reports[] = API "/reports/";
    const char *slash = strncmp(url, reports, sizeof reports - 1) == 0 ? strchr(url + sizeof reports - 1, '/') : NULL;
    if (slash && strcmp(slash, "/survey") == 0) {
        req->route = "report_survey";
        char typed[64];
        snprintf(typed, sizeof typed, "%.*s", (int) (slash - url - (sizeof reports - 1)), url + sizeof reports - 1);
        return strcmp(method, "POST") == 0 ? answer_survey(c, req, typed) : http_wrong_method(c, req, "POST");
    }
    *handled = false;
    return MHD_NO;
}
