#include "support_api.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "msgpack_fields.h"
#include "request_limits.h"
#include "support_codec.h"
#include "tracking_id.h"

#define PREFIX "/api/v1/reports/"
#define SUFFIX "/support"

static enum MHD_Result ask(struct MHD_Connection *c, request_t *req, const support_request_t *q)
{
    unsigned char *body = NULL;
    size_t size = 0;
    char reason[256];
    if (support_request_encode(q, &body, &size) != 0)
        return http_send_problem(c, req, &PROBLEM_INTERNAL, NULL, NULL, NULL);
    envelope_t *reply = http_command(req, PEER_INTAKE, MSG_REPORT_SUPPORT, body, size, reason, sizeof reason);
    support_count_t count;
    enum MHD_Result rc;
    if (reply && strcmp(reply->type, MSG_REPORT_SUPPORT_COUNT) == 0
        && support_count_decode(reply->body, reply->body_size, &count, reason, sizeof reason) == 0) {
        static const char *const headers[] = {"Cache-Control", "no-store", NULL};
        rc = http_send_json(c, req, 200, json_pack("{s:I, s:b}", "supports", (json_int_t) count.supports,
                                                   "counted", count.counted), headers);
    } else
        rc = http_send_command_failure(c, req, reply, reason);
    envelope_destroy(&reply);
    return rc;
}

static enum MHD_Result support(struct MHD_Connection *c, request_t *req, char *tracking_id)
{
    enum MHD_Result rc;
    json_t *root = http_read_json(c, req, &rc);
    if (!root)
        return rc;
    field_errors_t errors;
    field_errors_clear(&errors);
    const char *supporter = http_json_string(root, "supporter", true, &errors);
    /* A supporter id as the pages make it (a UUID) or any client may. */
    if (supporter && !http_is_printable_word(supporter, SUPPORTER_MIN, SUPPORTER_MAX))
        field_errors_add(&errors, "supporter", "invalid", "supporter is %d to %d printable characters without spaces",
                         SUPPORTER_MIN, SUPPORTER_MAX);
    support_request_t q = {tracking_id, NULL};
    if (errors.count)
        rc = http_send_problem(c, req, &PROBLEM_VALIDATION, "the support has invalid fields", &errors, NULL);
    else if (mpf_set_string(&q.supporter, supporter) != 0)
        rc = http_send_problem(c, req, &PROBLEM_INTERNAL, NULL, NULL, NULL);
    else if (request_limits_admit(c, req, RATE_SUPPORT, NULL, &rc))
        rc = ask(c, req, &q);
    free(q.supporter);
    json_decref(root);
    return rc;
}

enum MHD_Result support_api_route(struct MHD_Connection *c, request_t *req, const char *method, const char *url,
                                  bool *handled)
{
    size_t length = strlen(url);
    *handled = strncmp(url, PREFIX, sizeof PREFIX - 1) == 0 && length > sizeof PREFIX - 1 + sizeof SUFFIX - 1
               && strcmp(url + length - (sizeof SUFFIX - 1), SUFFIX) == 0;
    if (!*handled)
        return MHD_NO;
    req->route = "report_support";
    char typed[64], tracking_id[TRACKING_ID_LEN + 1];
    snprintf(typed, sizeof typed, "%.*s", (int) (length - (sizeof PREFIX - 1) - (sizeof SUFFIX - 1)),
             url + sizeof PREFIX - 1);
    bool post = strcmp(method, "POST") == 0;
    if (!post && strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0)
        return http_wrong_method(c, req, "GET, HEAD, POST");
    if (tracking_id_normalize(typed, tracking_id) != 0)
        return http_send_problem(c, req, &PROBLEM_NOT_FOUND, "no public report has this tracking id", NULL, NULL);
    if (post)
        return support(c, req, tracking_id);
    support_request_t q = {tracking_id, NULL};
    return ask(c, req, &q);
}
