#include "reporter_sign_in_commands.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "error_reply.h"
#include "field_errors.h"
#include "reporter_sign_in_codec.h"
#include "reporter_sign_in_store.h"
#include "staff_query_codec.h"
#include "tracking_id.h"

static void refuse_field(envelope_t *reply, const char *field, const char *detail)
{
    field_errors_t errors;
    field_errors_clear(&errors);
    field_errors_add(&errors, field, "invalid", "%s", detail);
    intake_reply_invalid(reply, &errors);
}

static void answer_document(envelope_t *reply, char *json)
{
    if (staff_document_into(reply, json) != 0)
        error_reply_simple(reply, ERROR_INTERNAL, "the answer could not be encoded");
}

static void answer_issued(envelope_t *reply, reporter_code_delivery_t *where, contact_kind_t kind, char *code)
{
    char channel[8];
    snprintf(channel, sizeof channel, "%s", kind == CONTACT_EMAIL ? "email" : "sms");
    reporter_code_issued_t issued = {where->deliver, NULL, NULL, NULL, NULL};
    if (where->deliver) {
        issued.channel = channel;
        issued.address = where->address;
        issued.code = code;
        issued.language = where->language;
    }
    unsigned char *body = NULL;
    size_t size = 0;
    if (reporter_code_issued_encode(&issued, &body, &size) != 0)
        error_reply_simple(reply, ERROR_INTERNAL, "the code could not be encoded");
    else {
        envelope_set_type(reply, MSG_REPORTER_CODE_ISSUED);
        envelope_take_body(reply, body, size);
    }
}

int intake_reporter_code(void *ctx, const envelope_t *request, envelope_t *reply)
{
    intake_t *intake = ctx;
    reporter_sign_in_t asked;
    char reason[200], key[REPORTER_CONTACT_KEY_MAX + 1], code[REPORTER_CODE_DIGITS + 1];
    if (reporter_sign_in_decode(request->body, request->body_size, &asked, reason, sizeof reason) != 0)
        return error_reply_simple(reply, ERROR_BAD_MESSAGE, reason) == 0 ? 0 : -1;
    contact_kind_t kind;
    if (!asked.contact || reporter_contact_key(asked.contact, key, &kind) != 0)
        refuse_field(reply, "contact", "contact must be an e-mail address or a phone number of 8 to 15 digits");
    else {
        reporter_code_generate(code);
        reporter_code_delivery_t where;
        db_error_t error = {"", ""};
        if (reporter_codes_issue(intake->db, intake->idempotency_secret, key, kind, code, &where, &error) != 0)
            intake_reply_database_error(reply, &error);
        else
            answer_issued(reply, &where, kind, code);
        sodium_memzero(code, sizeof code);
    }
    reporter_sign_in_clear(&asked);
    return 0;
}

/* The code as typed, spaces and dashes dropped (a code read aloud or copied from an SMS). */
static void strip_code(const char *typed, char out[REPORTER_SIGN_IN_CODE_MAX + 1])
{
    size_t n = 0;
    for (; *typed && n < REPORTER_SIGN_IN_CODE_MAX; typed++)
        if (*typed != ' ' && *typed != '-')
            out[n++] = *typed;
    out[n] = '\0';
}

int intake_reporter_sign_in(void *ctx, const envelope_t *request, envelope_t *reply)
{
    intake_t *intake = ctx;
    reporter_sign_in_t asked;
    char reason[200], key[REPORTER_CONTACT_KEY_MAX + 1], code[REPORTER_SIGN_IN_CODE_MAX + 1] = "";
    if (reporter_sign_in_decode(request->body, request->body_size, &asked, reason, sizeof reason) != 0)
        return error_reply_simple(reply, ERROR_BAD_MESSAGE, reason) == 0 ? 0 : -1;
    contact_kind_t kind;
    if (asked.code)
        strip_code(asked.code, code);
    if (!asked.contact || reporter_contact_key(asked.contact, key, &kind) != 0)
        refuse_field(reply, "contact", "contact must be an e-mail address or a phone number of 8 to 15 digits");
    else if (!reporter_code_well_formed(code))
        refuse_field(reply, "code", "the code is the 8 digits of the message");
    else {
        char session[SECRET_TOKEN_LEN + 1], expires_at[40], json[160];
        db_error_t error = {"", ""};
        int rc = reporter_codes_sign_in(intake->db, intake->idempotency_secret, key, code, session, expires_at, &error);
        if (rc < 0)
            intake_reply_database_error(reply, &error);
        else if (rc == 1)   /* one answer for wrong, expired, used, out of tries and never asked */
            refuse_field(reply, "code", "the code is wrong or no longer valid; ask for a new one");
        else {
            snprintf(json, sizeof json, "{\"session\":\"%s\",\"expires_at\":\"%s\"}", session, expires_at);
            answer_document(reply, json);
            sodium_memzero(session, sizeof session);
            sodium_memzero(json, sizeof json);
        }
    }
    sodium_memzero(code, sizeof code);
    reporter_sign_in_clear(&asked);
    return 0;
}

int intake_reporter_reports(void *ctx, const envelope_t *request, envelope_t *reply)
{
    intake_t *intake = ctx;
    reporter_sign_in_t asked;
    char reason[200];
    if (reporter_sign_in_decode(request->body, request->body_size, &asked, reason, sizeof reason) != 0)
        return error_reply_simple(reply, ERROR_BAD_MESSAGE, reason) == 0 ? 0 : -1;
    char *json = NULL;
    db_error_t error = {"", ""};
    int rc = asked.session ? reporter_sessions_reports(intake->db, asked.session, &json, &error) : 1;
    if (rc < 0)
        intake_reply_database_error(reply, &error);
    else if (rc == 1)
        error_reply_simple(reply, ERROR_FORBIDDEN, "the session is unknown or expired: sign in again");
    else
        answer_document(reply, json);
    free(json);
    reporter_sign_in_clear(&asked);
    return 0;
}

int intake_reporter_recover(void *ctx, const envelope_t *request, envelope_t *reply)
{
    intake_t *intake = ctx;
    reporter_sign_in_t asked;
    char reason[200], tracking_id[TRACKING_ID_LEN + 1] = "", token[SECRET_TOKEN_LEN + 1], json[160];
    if (reporter_sign_in_decode(request->body, request->body_size, &asked, reason, sizeof reason) != 0)
        return error_reply_simple(reply, ERROR_BAD_MESSAGE, reason) == 0 ? 0 : -1;
    db_error_t error = {"", ""};
    /* A malformed tracking id still checks the session, so that "signed out" is told first. */
    bool typed_ok = asked.tracking_id && tracking_id_normalize(asked.tracking_id, tracking_id) == 0;
    int rc = asked.session ? reporter_sessions_recover(intake->db, asked.session, tracking_id, token, &error) : 1;
    if (rc < 0)
        intake_reply_database_error(reply, &error);
    else if (rc == 1)
        error_reply_simple(reply, ERROR_FORBIDDEN, "the session is unknown or expired: sign in again");
    else if (rc == 2 || !typed_ok)
        error_reply_simple(reply, ERROR_NOT_FOUND, "none of your reports has this tracking id");
    else {
        snprintf(json, sizeof json, "{\"tracking_id\":\"%s\",\"reporter_token\":\"%s\"}", tracking_id, token);
        answer_document(reply, json);
        sodium_memzero(json, sizeof json);
    }
    sodium_memzero(token, sizeof token);
    reporter_sign_in_clear(&asked);
    return 0;
}

int reporter_sign_in_register(cmd_server_t *server, intake_t *intake)
{
    if (cmd_server_on(server, MSG_REPORTER_CODE, CURVE_ROLE_GATEWAY, intake_reporter_code, intake) != 0
        || cmd_server_on(server, MSG_REPORTER_SIGN_IN, CURVE_ROLE_GATEWAY, intake_reporter_sign_in, intake) != 0
        || cmd_server_on(server, MSG_REPORTER_REPORTS, CURVE_ROLE_GATEWAY, intake_reporter_reports, intake) != 0
        || cmd_server_on(server, MSG_REPORTER_RECOVER, CURVE_ROLE_GATEWAY, intake_reporter_recover, intake) != 0)
        return -1;
    return 0;
}
