#include "action_api.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "msgpack_fields.h"
#include "report_json.h"
#include "report_lifecycle.h"
#include "report_rules.h"
#include "report_step_codec.h"
#include "request_limits.h"
#include "staff_api.h"
#include "tracking_id.h"

/* Members of the body that are strings, in report_step_t. */
static const struct {
    const char *key;
    size_t offset;
} text_members[] = {
    {"reason_code", offsetof(report_step_t, reason_code)}, {"note", offsetof(report_step_t, note)},
    {"institution", offsetof(report_step_t, institution)}, {"duplicate_of", offsetof(report_step_t, duplicate_of)},
    {"attachment", offsetof(report_step_t, attachment)},   {"title", offsetof(report_step_t, title)},
    {"category", offsetof(report_step_t, category)},       {"classification", offsetof(report_step_t, classification)},
    {"assignee", offsetof(report_step_t, assignee)},
};

static const struct {
    const char *key;
    size_t flag, value;
} flag_members[] = {
    {"field_supervision", offsetof(report_step_t, has_field_supervision), offsetof(report_step_t, field_supervision)},
    {"anonymous", offsetof(report_step_t, has_anonymous), offsetof(report_step_t, anonymous)},
    {"confidential", offsetof(report_step_t, has_confidential), offsetof(report_step_t, confidential)},
};

static bool read_member(json_t *value, const char *key, report_step_t *step, field_errors_t *errors)
{
    for (size_t i = 0; i < sizeof text_members / sizeof text_members[0]; i++) {
        if (strcmp(key, text_members[i].key) != 0)
            continue;
        if (!json_is_string(value))
            field_errors_add(errors, key, "type", "%s must be a string", key);
        else if (mpf_set_string((char **) ((char *) step + text_members[i].offset), json_string_value(value)) != 0)
            field_errors_add(errors, key, "internal", "out of memory");
        return true;
    }
    for (size_t i = 0; i < sizeof flag_members / sizeof flag_members[0]; i++) {
        if (strcmp(key, flag_members[i].key) != 0)
            continue;
        if (!json_is_boolean(value))
            field_errors_add(errors, key, "type", "%s must be true or false", key);
        *(bool *) ((char *) step + flag_members[i].flag) = true;
        *(bool *) ((char *) step + flag_members[i].value) = json_is_true(value);
        return true;
    }
    return strcmp(key, "action") == 0;
}

/* The body into *step (which then owns copies of the strings); the action's rule, or NULL with errors. */
static const lifecycle_rule_t *read_step(json_t *root, report_step_t *step, field_errors_t *errors)
{
    if (!json_is_object(root)) {
        field_errors_add(errors, "body", "type", "send a JSON object");
        return NULL;
    }
    const char *key;
    json_t *value;
    json_object_foreach(root, key, value)
        if (!read_member(value, key, step, errors))
            field_errors_add(errors, key, "unknown", "unknown member '%s'", key);
    if (mpf_set_string(&step->action, json_string_value(json_object_get(root, "action"))) != 0)
        field_errors_add(errors, "action", "internal", "out of memory");
    const lifecycle_rule_t *rule = lifecycle_rule(step->action);
    if (!rule)
        field_errors_add(errors, "action", "unknown", "action must be one of the documented actions");
    return errors->count ? NULL : rule;
}

/* A retried request under the same Idempotency-Key must reach the service under the same command
 * id; keys are scoped to who sends them, so two staff members cannot collide. */
static bool command_id_from_key(struct MHD_Connection *c, request_t *req, const char *actor)
{
    const char *key = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Idempotency-Key");
    if (!key)
        return true;
    if (!report_idempotency_key_valid(key))
        return false;
    size_t n = strlen(key);
    unsigned char digest[crypto_hash_sha256_BYTES];
    crypto_hash_sha256_state state;
    crypto_hash_sha256_init(&state);
    crypto_hash_sha256_update(&state, (const unsigned char *) actor, strlen(actor) + 1);
    crypto_hash_sha256_update(&state, (const unsigned char *) key, n);
    crypto_hash_sha256_final(&state, digest);
    sodium_bin2hex(req->command_id, sizeof req->command_id, digest, 16);
    return true;
}

static enum MHD_Result answer_outcome(struct MHD_Connection *c, request_t *req, const envelope_t *reply)
{
    report_outcome_t outcome;
    char why[200], at[32];
    if (report_outcome_decode(reply->body, reply->body_size, &outcome, why, sizeof why) != 0)
        return http_send_problem(c, req, &PROBLEM_INTERNAL, NULL, NULL, NULL);
    report_json_time(outcome.at_ms, at);
    json_t *doc = json_pack("{s:s, s:s, s:s, s:s, s:s}", "tracking_id", outcome.tracking_id, "action", outcome.action,
                            "status", outcome.status, "public_status", outcome.public_status, "at", at);
    if (outcome.institution)
        json_object_set_new(doc, "institution", json_string(outcome.institution));
    report_outcome_clear(&outcome);
    return http_send_json(c, req, 200, doc, NULL);
}

static enum MHD_Result send_step(struct MHD_Connection *c, request_t *req, const lifecycle_rule_t *rule,
                                 const report_step_t *step)
{
    unsigned char *body = NULL;
    size_t size = 0;
    char reason[256];
    if (report_step_encode(step, &body, &size) != 0)
        return http_send_problem(c, req, &PROBLEM_INTERNAL, NULL, NULL, NULL);
    envelope_t *reply = http_command(req, command_links_peer_named(rule->service), MSG_REPORT_ACT, body, size,
                                     reason, sizeof reason);
    enum MHD_Result rc = reply && strcmp(reply->type, MSG_REPORT_OUTCOME) == 0
                             ? answer_outcome(c, req, reply) : http_send_command_failure(c, req, reply, reason);
    envelope_destroy(&reply);
    return rc;
}

/* Fills the actor: the reporter's token, or the signed-in member. false with the answer sent. */
static bool identify(struct MHD_Connection *c, request_t *req, const lifecycle_rule_t *rule, report_step_t *step,
                     staff_member_t *who, enum MHD_Result *rc)
{
    if (rule->roles & ROLE_REPORTER) {
        const char *token = http_bearer_token(c);
        if (!token)
            *rc = http_send_problem(c, req, &PROBLEM_UNAUTHORIZED, "send the reporter token as Authorization: Bearer",
                                    NULL, NULL);
        else if (mpf_set_string(&step->actor_role, "reporter") != 0 || mpf_set_string(&step->reporter_token, token) != 0)
            *rc = http_send_problem(c, req, &PROBLEM_INTERNAL, NULL, NULL, NULL);
        return token && step->reporter_token;
    }
    if (!staff_api_authenticate(c, req, who, rc))
        return false;
    if (!(rule->roles & lifecycle_role_bit(who->role))) {
        *rc = http_send_problem(c, req, &PROBLEM_FORBIDDEN, "your role may not take this action", NULL, NULL);
        return false;
    }
    if (mpf_set_string(&step->actor_role, who->role) != 0 || mpf_set_string(&step->actor_id, who->username) != 0
        || mpf_set_string(&step->actor_institution, who->institution) != 0) {
        *rc = http_send_problem(c, req, &PROBLEM_INTERNAL, NULL, NULL, NULL);
        return false;
    }
    return true;
}

enum MHD_Result action_api_post(struct MHD_Connection *c, request_t *req, const char *typed_tracking_id)
{
    char tracking_id[TRACKING_ID_LEN + 1];
    enum MHD_Result rc;
    json_t *root = http_read_json(c, req, &rc);
    if (!root)
        return rc;
    report_step_t step;
    memset(&step, 0, sizeof step);
    field_errors_t errors;
    field_errors_clear(&errors);
    staff_member_t who;
    const lifecycle_rule_t *rule = read_step(root, &step, &errors);
    if (!rule)
        rc = http_send_problem(c, req, &PROBLEM_VALIDATION, "the action has invalid fields", &errors, NULL);
    else if (identify(c, req, rule, &step, &who, &rc)) {
        /* Only now: who is not signed in learns nothing, not even which ids are well formed. */
        if (tracking_id_normalize(typed_tracking_id, tracking_id) != 0)
            rc = http_send_problem(c, req, &PROBLEM_NOT_FOUND, "no report has this tracking id", NULL, NULL);
        else if (mpf_set_string(&step.tracking_id, tracking_id) != 0)
            rc = http_send_problem(c, req, &PROBLEM_INTERNAL, NULL, NULL, NULL);
        else if (!command_id_from_key(c, req, step.actor_id ? step.actor_id : step.reporter_token))
            rc = http_send_problem(c, req, &PROBLEM_MALFORMED, "Idempotency-Key must be 16 to 200 printable ASCII characters (send a UUIDv4)", NULL, NULL);
        else if (!step.reporter_token || request_limits_admit(c, req, RATE_REPORTER, tracking_id, &rc))
            rc = send_step(c, req, rule, &step);
    }
    report_step_clear(&step);
    json_decref(root);
    return rc;
}
