#include "stats_api.h"

#include <stdlib.h>
#include <string.h>

#include "csv_table.h"
#include "logger.h"
#include "staff_api.h"
#include "stats_views.h"
#include "survey_store.h"
#include "tracking_id.h"

#define API "/api/v1"

typedef enum { VIEW_SUMMARY, VIEW_SERIES, VIEW_RANKINGS, VIEW_IKM, VIEW_EXPORT_SUMMARY, VIEW_EXPORT_REPORTS } view_t;

static const char *arg(struct MHD_Connection *c, const char *name)
{
    const char *value = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, name);
    return value && *value ? value : NULL;
}

static void read_filter(struct MHD_Connection *c, stats_filter_t *f)
{
    *f = (stats_filter_t) {
        .group_by = arg(c, "group_by"), .period = arg(c, "period"), .from = arg(c, "from"), .to = arg(c, "to"),
        .institution = arg(c, "institution"), .level = arg(c, "level"), .region = arg(c, "region"),
        .category = arg(c, "category"), .classification = arg(c, "classification"), .channel = arg(c, "channel"),
    };
}

/* Who asks: nobody (public figures) or a signed-in member, whose scope narrows the institution
 * filter (`own` holds the member's institution when it becomes the filter). False with the answer
 * sent. */
static bool scope(struct MHD_Connection *c, request_t *req, db_t *db, stats_filter_t *f,
                  char own[sizeof ((staff_member_t *) 0)->institution], bool *staff, enum MHD_Result *rc)
{
    staff_member_t who;
    /* Any Authorization header asks for a member's view: a malformed one is a 401, never public. */
    *staff = MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_AUTHORIZATION) != NULL;
    f->public_view = !*staff;
    if (!*staff)
        return true;
    if (!staff_api_authenticate(c, req, &who, rc))
        return false;
    if (strcmp(who.role, "national_admin") == 0)
        return true;
    if (!f->institution) {
        memcpy(own, who.institution, sizeof who.institution);
        f->institution = own;
        return true;
    }
    db_error_t error = {"", ""};
    int within = stats_views_in_subtree(db, f->institution, who.institution, &error);
    if (within < 0)
        *rc = staff_api_unavailable(c, req, &error);
    else if (within == 0)
        *rc = http_send_problem(c, req, &PROBLEM_FORBIDDEN, "the institution is outside your subtree", NULL, NULL);
    return within == 1;
}

static int min_reports_arg(struct MHD_Connection *c)
{
    const char *text = arg(c, "min_reports");
    char *end = NULL;
    long value = text ? strtol(text, &end, 10) : -1;
    return text && (*end || value < 0 || value > 1000000) ? -2 : (int) value;
}

/* The figures asked for, as JSON text in *json. 0, 1 invalid (reason), -1 error. */
static int compute(struct MHD_Connection *c, db_t *db, view_t view, stats_filter_t *f, char **json, char *reason,
                   size_t cap, db_error_t *error)
{
    int min_reports = min_reports_arg(c);
    switch (view) {
    case VIEW_SERIES:
        if (!f->group_by)
            f->group_by = "period";
        return stats_views_summary(db, f, json, reason, cap, error);
    case VIEW_RANKINGS:
        if (min_reports == -2)
            return snprintf(reason, cap, "min_reports is a whole number"), 1;
        return stats_views_rankings(db, f, arg(c, "order") ? arg(c, "order") : "completion", min_reports, json,
                                    reason, cap, error);
    case VIEW_IKM:
        return stats_views_ikm(db, f, json, reason, cap, error);
    case VIEW_EXPORT_REPORTS:
        return stats_views_export_reports(db, f, json, reason, cap, error);
    default:
        return stats_views_summary(db, f, json, reason, cap, error);
    }
}

/* An export as CSV: the rows of the document's "groups" or "items". */
static enum MHD_Result send_csv(struct MHD_Connection *c, request_t *req, const char *json, const char *name)
{
    json_t *doc = json_loads(json, 0, NULL);
    json_t *rows = json_object_get(doc, "groups") ? json_object_get(doc, "groups") : json_object_get(doc, "items");
    char *csv = rows ? csv_table_render(rows) : NULL;
    json_decref(doc);
    if (!csv)
        return http_send_problem(c, req, &PROBLEM_INTERNAL, NULL, NULL, NULL);
    char disposition[96];
    snprintf(disposition, sizeof disposition, "attachment; filename=\"aduan-%s.csv\"", name);
    const char *const headers[] = {"Content-Disposition", disposition, "Cache-Control", "no-store", NULL};
    /* An empty selection has no columns to name: an empty file, without a header row. */
    const char *type = csv[0] ? "text/csv; charset=utf-8; header=present" : "text/csv; charset=utf-8; header=absent";
    return http_send_text(c, req, 200, type, csv, headers);
}

static enum MHD_Result stats_view(struct MHD_Connection *c, request_t *req, const char *method, view_t view)
{
    if (strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0)
        return http_wrong_method(c, req, "GET, HEAD");
    bool export = view == VIEW_EXPORT_SUMMARY || view == VIEW_EXPORT_REPORTS;
    const char *format = arg(c, "format") ? arg(c, "format") : "json";
    if (export && strcmp(format, "csv") != 0 && strcmp(format, "json") != 0)
        return http_send_problem(c, req, &PROBLEM_VALIDATION, "format is csv or json", NULL, NULL);
    db_error_t error = {"", ""};
    db_t *db = staff_api_db(&error);
    if (!db)
        return staff_api_unavailable(c, req, &error);
    stats_filter_t f;
    read_filter(c, &f);
    char own[sizeof ((staff_member_t *) 0)->institution], reason[200] = "";
    bool staff = false;
    enum MHD_Result rc;
    if (!scope(c, req, db, &f, own, &staff, &rc))
        return rc;
    static const char *const challenge[] = {"WWW-Authenticate", "Bearer", NULL};
    if (view == VIEW_EXPORT_REPORTS && !staff)
        return http_send_problem(c, req, &PROBLEM_UNAUTHORIZED, "exports of reports are for staff", NULL, challenge);
    char *json = NULL;
    int done = compute(c, db, view, &f, &json, reason, sizeof reason, &error);
    if (done == 1)
        return http_send_problem(c, req, &PROBLEM_VALIDATION, reason, NULL, NULL);
    if (done != 0)
        return staff_api_unavailable(c, req, &error);
    if (export && strcmp(format, "csv") == 0) {
        rc = send_csv(c, req, json, view == VIEW_EXPORT_REPORTS ? "reports" : "summary");
        free(json);
        return rc;
    }
    static const char *const private_headers[] = {"Cache-Control", "no-store", NULL};
    return http_send_text(c, req, 200, "application/json; charset=utf-8", json, staff ? private_headers : NULL);
}

/* "answers": nine elements, each 1..4 or null (left out), at least one given. */
static bool read_answers(json_t *root, int answers[SURVEY_ELEMENTS], field_errors_t *errors)
{
    json_t *list = json_object_get(root, "answers"), *item;
    size_t i;
    int given = 0;
    if (!json_is_array(list) || json_array_size(list) != SURVEY_ELEMENTS) {
        field_errors_add(errors, "answers", "invalid", "answers is a list of 9 values (U1..U9), each 1..4 or null");
        return false;
    }
    json_array_foreach(list, i, item) {
        json_int_t value = json_is_integer(item) ? json_integer_value(item) : 0;
        if (!json_is_null(item) && (value < 1 || value > 4)) {
            field_errors_add(errors, "answers", "out_of_range", "U%zu must be 1, 2, 3, 4 or null", i + 1);
            return false;
        }
        answers[i] = (int) value;
        given += value > 0;
    }
    if (given == 0)
        field_errors_add(errors, "answers", "required", "answer at least one element");
    return given > 0;
}

static enum MHD_Result answer_survey(struct MHD_Connection *c, request_t *req, const char *typed_id)
{
    enum MHD_Result rc;
    json_t *root = http_read_json(c, req, &rc);
    if (!root)
        return rc;
    field_errors_t errors;
    field_errors_clear(&errors);
    int answers[SURVEY_ELEMENTS] = {0};
    bool valid = read_answers(root, answers, &errors);
    const char *institution = typed_id ? NULL : http_json_string(root, "institution", true, &errors);
    char tracking_id[TRACKING_ID_LEN + 1] = "";
    db_error_t error = {"", ""};
    db_t *db = valid && !errors.count ? staff_api_db(&error) : NULL;
    int done = !valid || errors.count ? 4 : !db ? -1
             : typed_id ? (tracking_id_normalize(typed_id, tracking_id) != 0 ? 1
                           : survey_store_reporter(db, tracking_id, http_bearer_token(c), answers, &error))
                        : survey_store_service_user(db, institution, answers, &error);
    if (!typed_id && done == 1)
        field_errors_add(&errors, "institution", "unknown", "no active institution has this code");
    json_decref(root);
    switch (done) {
    case 0:
        logger_info("survey answered (%s)", typed_id ? "reporter" : "service user");
        return http_send_json(c, req, 201, json_pack("{s:b}", "recorded", 1), NULL);
    case 1:
        return typed_id ? http_send_problem(c, req, &PROBLEM_NOT_FOUND, "no report with this tracking id and reporter token",
                                            NULL, NULL)
                        : http_send_problem(c, req, &PROBLEM_VALIDATION, "the answers have invalid fields", &errors, NULL);
    case 2:
        return http_send_problem(c, req, &PROBLEM_ILLEGAL_TRANSITION, "the survey opens when the report is closed",
                                 NULL, NULL);
    case 3:
        return http_send_problem(c, req, &PROBLEM_SURVEY_ANSWERED, NULL, NULL, NULL);
    case 4:
        return http_send_problem(c, req, &PROBLEM_VALIDATION, "the answers have invalid fields", &errors, NULL);
    default:
        return staff_api_unavailable(c, req, &error);
    }
}

enum MHD_Result stats_api_route(struct MHD_Connection *c, request_t *req, const char *method, const char *url,
                                bool *handled)
{
    static const struct { const char *path; view_t view; const char *route; } views[] = {
        {API "/stats/summary", VIEW_SUMMARY, "stats_summary"}, {API "/stats/series", VIEW_SERIES, "stats_series"},
        {API "/stats/rankings", VIEW_RANKINGS, "stats_rankings"}, {API "/stats/ikm", VIEW_IKM, "stats_ikm"},
        {API "/stats/export/summary", VIEW_EXPORT_SUMMARY, "stats_export_summary"},
        {API "/stats/export/reports", VIEW_EXPORT_REPORTS, "stats_export_reports"},
    };
    *handled = true;
    for (size_t i = 0; i < sizeof views / sizeof views[0]; i++)
        if (strcmp(url, views[i].path) == 0) {
            req->route = views[i].route;
            return stats_view(c, req, method, views[i].view);
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
