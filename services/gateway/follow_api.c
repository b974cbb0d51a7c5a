#include "follow_api.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "follow_codec.h"
#include "msgpack_fields.h"
#include "request_limits.h"
#include "tracking_id.h"

#define API "/api/v1"
#define REPORTS API "/reports/"
#define FOLLOWERS_SUFFIX "/followers"
#define CONFIRM API "/followers/confirm"
#define UNSUBSCRIBE API "/followers/unsubscribe/"

/* Sends the request to aduan-notify (its strings freed) and answers its state with `status`. */
static enum MHD_Result ask(struct MHD_Connection *c, request_t *req, const char *type, follow_request_t *q,
                           unsigned status)
{
    unsigned char *body = NULL;
    size_t size = 0;
    char reason[256];
    int encoded = follow_request_encode(q, &body, &size);
    follow_request_clear(q);
    if (encoded != 0)
        return http_send_problem(c, req, &PROBLEM_INTERNAL, NULL, NULL, NULL);
    envelope_t *reply = http_command(req, PEER_NOTIFY, type, body, size, reason, sizeof reason);
    follow_state_t state;
    enum MHD_Result rc;
    if (reply && strcmp(reply->type, MSG_FOLLOW_STATE) == 0
        && follow_state_decode(reply->body, reply->body_size, &state, reason, sizeof reason) == 0) {
        static const char *const headers[] = {"Cache-Control", "no-store", NULL};
        rc = http_send_json(c, req, status, json_pack("{s:s, s:s}", "tracking_id", state.tracking_id,
                                                      "state", state.state), headers);
        follow_state_clear(&state);
    } else
        rc = http_send_command_failure(c, req, reply, reason);
    envelope_destroy(&reply);
    return rc;
}

static enum MHD_Result follow(struct MHD_Connection *c, request_t *req, const char *tracking_id)
{
    enum MHD_Result rc;
    json_t *root = http_read_json(c, req, &rc);
    if (!root)
        return rc;
    field_errors_t errors;
    field_errors_clear(&errors);
    char email[FOLLOW_EMAIL_MAX + 1];
    const char *typed = http_json_string(root, "email", true, &errors);
    const char *language = http_json_string(root, "language", false, &errors);
    if (typed && follow_email_normalize(typed, email) != 0)
        field_errors_add(&errors, "email", "invalid", "email is an address like nama@contoh.id, at most %d bytes",
                         FOLLOW_EMAIL_MAX);
    if (language && strcmp(language, "id") != 0 && strcmp(language, "en") != 0)
        field_errors_add(&errors, "language", "invalid", "language is id or en");
    follow_request_t q = {0};
    if (errors.count)
        rc = http_send_problem(c, req, &PROBLEM_VALIDATION, "the follow has invalid fields", &errors, NULL);
    else if (mpf_set_string(&q.tracking_id, tracking_id) != 0 || mpf_set_string(&q.email, email) != 0
             || mpf_set_string(&q.language, language ? language : "id") != 0) {
        follow_request_clear(&q);
        rc = http_send_problem(c, req, &PROBLEM_INTERNAL, NULL, NULL, NULL);
    } else if (request_limits_admit(c, req, RATE_FOLLOW, NULL, &rc))
        rc = ask(c, req, MSG_REPORT_FOLLOW, &q, 202);
    else
        follow_request_clear(&q);
    json_decref(root);
    return rc;
}

static enum MHD_Result by_token(struct MHD_Connection *c, request_t *req, const char *type, const char *token)
{
    enum MHD_Result rc;
    follow_request_t q = {0};
    /* Every try counts, a malformed one too: the limit is what keeps guessing slow. */
    if (!request_limits_admit(c, req, RATE_FOLLOW, NULL, &rc))
        return rc;
    if (!token || !http_is_printable_word(token, 1, FOLLOW_TOKEN_MAX))
        return http_send_problem(c, req, &PROBLEM_NOT_FOUND, "this link is not valid (any more)", NULL, NULL);
    if (mpf_set_string(&q.token, token) != 0)
        return http_send_problem(c, req, &PROBLEM_INTERNAL, NULL, NULL, NULL);
    return ask(c, req, type, &q, 200);
}

static enum MHD_Result confirm(struct MHD_Connection *c, request_t *req)
{
    enum MHD_Result rc;
    json_t *root = http_read_json(c, req, &rc);
    if (!root)
        return rc;
    field_errors_t errors;
    field_errors_clear(&errors);
    const char *token = http_json_string(root, "token", true, &errors);
    rc = errors.count ? http_send_problem(c, req, &PROBLEM_VALIDATION, "the confirmation has no token", &errors, NULL)
                      : by_token(c, req, MSG_FOLLOW_CONFIRM, token);
    json_decref(root);
    return rc;
}

static bool is_followers_url(const char *url)
{
    size_t length = strlen(url);
    return strncmp(url, REPORTS, sizeof REPORTS - 1) == 0 && length > sizeof REPORTS - 1 + sizeof FOLLOWERS_SUFFIX - 1
           && strcmp(url + length - (sizeof FOLLOWERS_SUFFIX - 1), FOLLOWERS_SUFFIX) == 0;
}

static enum MHD_Result followers(struct MHD_Connection *c, request_t *req, const char *method, const char *url)
{
    req->route = "report_followers";
    if (strcmp(method, "POST") != 0)
        return http_wrong_method(c, req, "POST");
    size_t length = strlen(url);
    char typed[64], tracking_id[TRACKING_ID_LEN + 1];
    snprintf(typed, sizeof typed, "%.*s", (int) (length - (sizeof REPORTS - 1) - (sizeof FOLLOWERS_SUFFIX - 1)),
             url + sizeof REPORTS - 1);
    if (tracking_id_normalize(typed, tracking_id) != 0)
        return http_send_problem(c, req, &PROBLEM_NOT_FOUND, "no public report has this tracking id", NULL, NULL);
    return follow(c, req, tracking_id);
}

enum MHD_Result follow_api_route(struct MHD_Connection *c, request_t *req, const char *method, const char *url,
                                 bool *handled)
{
    bool unsubscribe = strncmp(url, UNSUBSCRIBE, sizeof UNSUBSCRIBE - 1) == 0;
    bool confirming = strcmp(url, CONFIRM) == 0;
    *handled = unsubscribe || confirming || is_followers_url(url);
    if (!*handled)
        return MHD_NO;
    if (!unsubscribe && !confirming)
        return followers(c, req, method, url);
    req->route = unsubscribe ? "follower_unsubscribe" : "follower_confirm";
    if (strcmp(method, "POST") != 0)
        return http_wrong_method(c, req, "POST");
    return unsubscribe ? by_token(c, req, MSG_FOLLOW_UNSUBSCRIBE, url + sizeof UNSUBSCRIBE - 1) : confirm(c, req);
}
