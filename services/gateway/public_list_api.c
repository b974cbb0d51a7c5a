#include "public_list_api.h"

#include <ctype.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "msgpack_fields.h"
#include "public_list_codec.h"
#include "report_rules.h"
#include "staff_query_codec.h"

#define DEFAULT_PAGE 20
#define OFFSET_MAX 10000   /* deeper pages are for filters, not for paging through everything */

static const char *arg(struct MHD_Connection *c, const char *name)
{
    const char *value = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, name);
    return value && *value ? value : NULL;
}

static bool is_code(const char *s)
{
    size_t n = strlen(s);
    for (size_t i = 0; i < n; i++)
        if (!isalnum((unsigned char) s[i]) && s[i] != '.' && s[i] != '_' && s[i] != '-')
            return false;
    return n <= REPORT_CODE_MAX;
}

static bool is_date(const char *s)
{
    int y, m, d, used = 0;
    return strlen(s) == 10 && sscanf(s, "%4d-%2d-%2d%n", &y, &m, &d, &used) == 3 && used == 10 && m >= 1 && m <= 12
           && d >= 1 && d <= 31 && s[4] == '-' && s[7] == '-';
}

static bool is_bucket(const char *s)
{
    /* The buckets of listed reports: nothing unverified or archived is listed, so asking for it is
     * refused like any other unknown bucket rather than answered with an empty page. */
    static const char *const buckets[] = {"not_yet_followed_up", "in_process", "completed"};
    for (size_t i = 0; i < sizeof buckets / sizeof buckets[0]; i++)
        if (strcmp(s, buckets[i]) == 0)
            return true;
    return false;
}

/* A whole number in [min, max] into *out, or false. */
static bool read_number(const char *s, unsigned long min, unsigned long max, uint32_t *out)
{
    char *end = NULL;
    unsigned long value = isdigit((unsigned char) s[0]) ? strtoul(s, &end, 10) : 0;
    if (!end || *end || value < min || value > max)
        return false;
    *out = (uint32_t) value;
    return true;
}

/* The "next" cursor of an earlier answer: "<microseconds>.<id>", into q. Opaque to clients. */
static bool read_cursor(const char *s, public_list_query_t *q)
{
    char *end = NULL;
    if (!isdigit((unsigned char) s[0]) || strlen(s) > 40)
        return false;
    long long at = strtoll(s, &end, 10);
    if (*end != '.' || !isdigit((unsigned char) end[1]))
        return false;
    long long id = strtoll(end + 1, &end, 10);
    if (*end || at < 0 || id < 0 || at == LLONG_MAX || id == LLONG_MAX)
        return false;
    q->has_after = true;
    q->after_at = at;
    q->after_id = id;
    return true;
}

/* lat and lon, both or neither, into q. */
static void check_position(struct MHD_Connection *c, public_list_query_t *q, field_errors_t *errors)
{
    const char *lat = arg(c, "lat"), *lon = arg(c, "lon");
    if (!lat && !lon)
        return;
    char *lat_end = NULL, *lon_end = NULL;
    q->lat = lat ? strtod(lat, &lat_end) : 0;
    q->lon = lon ? strtod(lon, &lon_end) : 0;
    q->has_position = lat_end && lon_end && !*lat_end && !*lon_end && q->lat >= -90 && q->lat <= 90
                      && q->lon >= -180 && q->lon <= 180;
    if (!q->has_position)
        field_errors_add(errors, lat_end && !*lat_end && q->lat >= -90 && q->lat <= 90 ? "lon" : "lat", "invalid",
                         "lat and lon are given together, in degrees (-90..90, -180..180)");
}

static void check_arguments(struct MHD_Connection *c, public_list_query_t *q, field_errors_t *errors)
{
    const char *q_text = arg(c, "q"), *category = arg(c, "category"), *region = arg(c, "region");
    const char *status = arg(c, "status"), *from = arg(c, "from"), *to = arg(c, "to");
    const char *limit = arg(c, "limit"), *offset = arg(c, "offset"), *similar = arg(c, "similar");
    if (q_text && strlen(q_text) > PUBLIC_LIST_TEXT_MAX)
        field_errors_add(errors, "q", "too_long", "q is at most %d bytes", PUBLIC_LIST_TEXT_MAX);
    if (similar && strlen(similar) > PUBLIC_LIST_TEXT_MAX)
        field_errors_add(errors, "similar", "too_long", "similar is at most %d bytes", PUBLIC_LIST_TEXT_MAX);
    check_position(c, q, errors);
    if ((category && !is_code(category)) || (region && !is_code(region)))
        field_errors_add(errors, category && !is_code(category) ? "category" : "region", "invalid",
                         "category and region are codes (letters, digits, '.', '_', '-'; at most 32)");
    if (status && !is_bucket(status))
        field_errors_add(errors, "status", "invalid",
                         "status is not_yet_followed_up, in_process or completed");
    if ((from && !is_date(from)) || (to && !is_date(to)))
        field_errors_add(errors, from && !is_date(from) ? "from" : "to", "invalid",
                         "from and to are dates written YYYY-MM-DD");
    unsigned max = similar ? PUBLIC_LIST_SIMILAR_MAX : PUBLIC_LIST_PAGE_MAX;
    q->limit = similar ? PUBLIC_LIST_SIMILAR_MAX : DEFAULT_PAGE;
    if (limit && !read_number(limit, 1, max, &q->limit))
        field_errors_add(errors, "limit", "out_of_range", "limit is a whole number 1 to %u", max);
    if (offset && !read_number(offset, 0, OFFSET_MAX, &q->offset))
        field_errors_add(errors, "offset", "out_of_range", "offset is a whole number 0 to %d", OFFSET_MAX);
    const char *after = arg(c, "after");
    if (after && (offset || similar))
        field_errors_add(errors, "after", "invalid", "after (a next cursor) is given without offset and similar");
    else if (after && !read_cursor(after, q))
        field_errors_add(errors, "after", "invalid", "after is the next cursor of an earlier answer");
}

/* 0, or -1 out of memory. */
static int copy_arguments(struct MHD_Connection *c, public_list_query_t *q)
{
    return mpf_set_string(&q->q, arg(c, "q")) == 0 && mpf_set_string(&q->category, arg(c, "category")) == 0
                   && mpf_set_string(&q->region, arg(c, "region")) == 0
                   && mpf_set_string(&q->status, arg(c, "status")) == 0
                   && mpf_set_string(&q->from, arg(c, "from")) == 0 && mpf_set_string(&q->to, arg(c, "to")) == 0
                   && mpf_set_string(&q->similar, arg(c, "similar")) == 0
               ? 0
               : -1;
}

static enum MHD_Result ask(struct MHD_Connection *c, request_t *req, const public_list_query_t *q)
{
    unsigned char *body = NULL;
    size_t size = 0;
    char reason[256];
    if (public_list_query_encode(q, &body, &size) != 0)
        return http_send_problem(c, req, &PROBLEM_INTERNAL, NULL, NULL, NULL);
    envelope_t *reply = http_command(req, PEER_INTAKE, MSG_REPORT_LIST, body, size, reason, sizeof reason);
    staff_document_t doc = {NULL};
    enum MHD_Result rc;
    if (reply && strcmp(reply->type, MSG_STAFF_DOCUMENT) == 0
        && staff_document_decode(reply->body, reply->body_size, &doc, reason, sizeof reason) == 0) {
        /* Briefly shared by caches in front of the gateway (a busy list costs one query per 10 s
         * per cache instead of one per visitor), never kept by a browser, whose visitor expects
         * to see their own support counted at once. */
        static const char *const headers[] = {"Cache-Control", "public, max-age=0, s-maxage=10", NULL};
        rc = http_send_text(c, req, 200, "application/json; charset=utf-8", doc.json, headers);
    } else
        rc = http_send_command_failure(c, req, reply, reason);
    envelope_destroy(&reply);
    return rc;
}

static enum MHD_Result list_reports(struct MHD_Connection *c, request_t *req)
{
    public_list_query_t q;
    memset(&q, 0, sizeof q);
    field_errors_t errors;
    field_errors_clear(&errors);
    check_arguments(c, &q, &errors);
    enum MHD_Result rc;
    if (errors.count)
        rc = http_send_problem(c, req, &PROBLEM_VALIDATION, "the query has invalid arguments", &errors, NULL);
    else if (copy_arguments(c, &q) != 0)
        rc = http_send_problem(c, req, &PROBLEM_INTERNAL, NULL, NULL, NULL);
    else
        rc = ask(c, req, &q);
    public_list_query_clear(&q);
    return rc;
}

enum MHD_Result public_list_api_route(struct MHD_Connection *c, request_t *req, const char *method, const char *url,
                                      bool *handled)
{
    *handled = strcmp(url, "/api/v1/reports") == 0 && (strcmp(method, "GET") == 0 || strcmp(method, "HEAD") == 0);
    if (!*handled)
        return MHD_NO;
    req->route = "reports_list";
    return list_reports(c, req);
}
