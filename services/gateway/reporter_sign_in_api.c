#include "reporter_sign_in_api.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "command_links.h"
#include "logger.h"
#include "msgpack_fields.h"
#include "reporter_contact.h"
#include "reporter_sign_in_codec.h"
#include "request_limits.h"
#include "tracking_id.h"

#define PREFIX "/api/v1/reporter/"
#define REPORTS_PREFIX PREFIX "reports/"
#define TOKEN_SUFFIX "/token"

static const char *const no_store[] = {"Cache-Control", "no-store", NULL};

static enum MHD_Result ask_intake(struct MHD_Connection *c, request_t *req, const char *type,
                                  const reporter_sign_in_t *q, unsigned status)
{
    unsigned char *body = NULL;
    size_t size = 0;
    int encoded = reporter_sign_in_encode(q, &body, &size);
    return http_document_command(c, req, PEER_INTAKE, type, encoded, body, size, status);
}

/* The contact of a body, its key in `key` (the rate limit's account); NULL with the problem in errors. */
static const char *contact_of(json_t *root, field_errors_t *errors, char key[REPORTER_CONTACT_KEY_MAX + 1])
{
    contact_kind_t kind;
    const char *contact = http_json_string(root, "contact", true, errors);
    if (contact && reporter_contact_key(contact, key, &kind) != 0) {
        field_errors_add(errors, "contact", "invalid", "contact must be an e-mail address or a phone number of 8 to 15 digits");
        contact = NULL;
    }
    return contact;
}

static void code_handed_over(void *tag, envelope_t *reply, const char *reason)
{
    (void) tag;
    if (!reply)
        logger_warn("a sign-in code could not be handed to notify: %s", reason);
    else if (strcmp(reply->type, MSG_STAFF_DOCUMENT) != 0)
        logger_warn("notify refused a sign-in code (%s)", reply->type);
    envelope_destroy(&reply);
}

/* Hands intake's code to notify without waiting for it, also when there is nothing to send: the
 * answer must not take longer for a contact with reports (notify writes a delivery then) than
 * for one without, or its time would tell which contacts reported. A code lost on the way is
 * logged (never the code), and the reporter asks again. */
static void hand_over(request_t *req, const envelope_t *issued)
{
    char id[ENVELOPE_ID_MAX + 1], reason[256];
    snprintf(id, sizeof id, "%.*s.code", ENVELOPE_ID_MAX - 5, req->id);
    envelope_t *command = envelope_new(MSG_REPORTER_CODE_SEND, 1, id, req->id);
    unsigned char *body = issued->body_size ? malloc(issued->body_size) : NULL;
    if (!command || !body) {
        logger_warn("a sign-in code could not be handed to notify: out of memory");
        envelope_destroy(&command);
        free(body);
        return;
    }
    memcpy(body, issued->body, issued->body_size);
    envelope_take_body(command, body, issued->body_size);
    if (command_links_send(PEER_NOTIFY, command, code_handed_over, NULL, NULL, reason, sizeof reason) != 0)
        logger_warn("a sign-in code could not be handed to notify: %s", reason);
}

static enum MHD_Result ask_code(struct MHD_Connection *c, request_t *req, reporter_sign_in_t *q)
{
    unsigned char *body = NULL;
    size_t size = 0;
    char reason[256];
    if (reporter_sign_in_encode(q, &body, &size) != 0)
        return http_send_problem(c, req, &PROBLEM_INTERNAL, NULL, NULL, NULL);
    envelope_t *reply = http_command(req, PEER_INTAKE, MSG_REPORTER_CODE, body, size, reason, sizeof reason);
    enum MHD_Result rc;
    if (reply && strcmp(reply->type, MSG_REPORTER_CODE_ISSUED) == 0) {
        hand_over(req, reply);
        rc = http_send_json(c, req, 202, json_pack("{s:s}", "detail",
                                                   "if a report was submitted with this contact, a code is on its way"),
                            no_store);
    } else
        rc = http_send_command_failure(c, req, reply, reason);
    if (reply)
        sodium_memzero(reply->body, reply->body_size);
    envelope_destroy(&reply);
    return rc;
}

/* POST codes {"contact"} and POST sessions {"contact", "code"}. */
static enum MHD_Result with_contact(struct MHD_Connection *c, request_t *req, bool sign_in)
{
    enum MHD_Result rc;
    json_t *root = http_read_json(c, req, &rc);
    if (!root)
        return rc;
    field_errors_t errors;
    field_errors_clear(&errors);
    char key[REPORTER_CONTACT_KEY_MAX + 1];
    const char *contact = contact_of(root, &errors, key);
    const char *code = sign_in ? http_json_string(root, "code", true, &errors) : NULL;
    reporter_sign_in_t q = {0};
    if (errors.count)
        rc = http_send_problem(c, req, &PROBLEM_VALIDATION, "the request has invalid fields", &errors, NULL);
    else if (mpf_set_string(&q.contact, contact) != 0 || (code && mpf_set_string(&q.code, code) != 0))
        rc = http_send_problem(c, req, &PROBLEM_INTERNAL, NULL, NULL, NULL);
    else if (request_limits_admit(c, req, RATE_REPORTER_CODE, key, &rc))
        rc = sign_in ? ask_intake(c, req, MSG_REPORTER_SIGN_IN, &q, 201) : ask_code(c, req, &q);
    reporter_sign_in_clear(&q);
    json_decref(root);
    return rc;
}

/* The session of the Authorization header; NULL with 401 sent in *rc. */
static const char *session_of(struct MHD_Connection *c, request_t *req, enum MHD_Result *rc)
{
    const char *session = http_bearer_token(c);
    if (!session) {
        static const char *const challenge[] = {"WWW-Authenticate", "Bearer", NULL};
        *rc = http_send_problem(c, req, &PROBLEM_UNAUTHORIZED, "send the session as Authorization: Bearer", NULL,
                                challenge);
    }
    return session;
}

static enum MHD_Result with_session(struct MHD_Connection *c, request_t *req, const char *type, const char *tracking_id)
{
    enum MHD_Result rc;
    const char *session = session_of(c, req, &rc);
    if (!session)
        return rc;
    reporter_sign_in_t q = {0};
    if (mpf_set_string(&q.session, session) != 0 || (tracking_id && mpf_set_string(&q.tracking_id, tracking_id) != 0))
        rc = http_send_problem(c, req, &PROBLEM_INTERNAL, NULL, NULL, NULL);
    else
        rc = ask_intake(c, req, type, &q, 200);
    reporter_sign_in_clear(&q);
    return rc;
}

static enum MHD_Result recover_route(struct MHD_Connection *c, request_t *req, const char *method, const char *rest)
{
    size_t length = strlen(rest);
    if (length <= sizeof TOKEN_SUFFIX - 1 || strcmp(rest + length - (sizeof TOKEN_SUFFIX - 1), TOKEN_SUFFIX) != 0)
        return http_send_problem(c, req, &PROBLEM_NOT_FOUND, "no such resource", NULL, NULL);
    req->route = "reporter_recover";
    if (strcmp(method, "POST") != 0)
        return http_wrong_method(c, req, "POST");
    char typed[64], tracking_id[TRACKING_ID_LEN + 1];
    snprintf(typed, sizeof typed, "%.*s", (int) (length - (sizeof TOKEN_SUFFIX - 1)), rest);
    if (tracking_id_normalize(typed, tracking_id) != 0)
        return http_send_problem(c, req, &PROBLEM_NOT_FOUND, "none of your reports has this tracking id", NULL, NULL);
    return with_session(c, req, MSG_REPORTER_RECOVER, tracking_id);
}

enum MHD_Result reporter_sign_in_api_route(struct MHD_Connection *c, request_t *req, const char *method,
                                           const char *url, bool *handled)
{
    *handled = strncmp(url, PREFIX, sizeof PREFIX - 1) == 0;
    if (!*handled)
        return MHD_NO;
    const char *rest = url + sizeof PREFIX - 1;
    bool post = strcmp(method, "POST") == 0;
    if (strcmp(rest, "codes") == 0 || strcmp(rest, "sessions") == 0) {
        req->route = rest[0] == 'c' ? "reporter_codes" : "reporter_sessions";
        return post ? with_contact(c, req, rest[0] == 's') : http_wrong_method(c, req, "POST");
    }
    if (strcmp(rest, "reports") == 0) {
        req->route = "reporter_reports";
        return strcmp(method, "GET") == 0 || strcmp(method, "HEAD") == 0
                   ? with_session(c, req, MSG_REPORTER_REPORTS, NULL)
                   : http_wrong_method(c, req, "GET, HEAD");
    }
    if (strncmp(url, REPORTS_PREFIX, sizeof REPORTS_PREFIX - 1) == 0)
        return recover_route(c, req, method, url + sizeof REPORTS_PREFIX - 1);
    req->route = "reporter";
    return http_send_problem(c, req, &PROBLEM_NOT_FOUND, "no such resource", NULL, NULL);
}
