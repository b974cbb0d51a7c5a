#include "open311_submit.h"

#include <errno.h>
#include <math.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "logger.h"
#include "msgpack_fields.h"
#include "open311_api.h"
#include "open311_json.h"
#include "open311_params.h"
#include "report_codec.h"
#include "request_limits.h"
#include "staff_api.h"
#include "text_buffer.h"
#include "utf8_text.h"

#define OPEN311_TITLE_BYTES 120

bool open311_token_valid(const char *text)
{
    size_t n = strlen(text);
    bool ok = n == OPEN311_TOKEN_HEX;
    for (size_t i = 0; ok && i < n; i++)
        ok = (text[i] >= '0' && text[i] <= '9') || (text[i] >= 'a' && text[i] <= 'f');
    return ok;
}

bool open311_api_app(const open311_form_t *form, open311_app_t *app, json_t *errors)
{
    const char *key = open311_form_get(form, "api_key");
    open311_app_t found;
    db_error_t error = {"", ""};
    db_t *db = key ? staff_api_db(&error) : NULL;
    int rc = db ? open311_keys_find(db, key, &found, &error) : -1;
    if (!key)
        open311_errors_add(errors, 403, "api_key is required");
    else if (rc > 0)
        open311_errors_add(errors, 403, "api_key is not valid");
    else if (rc < 0) {
        logger_error("open311 keys: %s %s", error.sqlstate, error.message);
        open311_errors_add(errors, 503, "the service is busy; try again");
    } else if (app)
        *app = found;
    return rc == 0;
}

static bool coordinate(const char *text, double min, double max, double *out)
{
    char *end = NULL;
    errno = 0;
    *out = text ? strtod(text, &end) : NAN;
    return text && !errno && end != text && !*end && isfinite(*out) && *out >= min && *out <= max;
}

/* The standard's own checks, before anything is asked of intake. */
static void check_form(const open311_form_t *form, report_submission_t *s, json_t *errors)
{
    const char *lat = open311_form_get(form, "lat"), *lon = open311_form_get(form, "long");
    const char *description = open311_form_get(form, "description");
    if (!open311_form_get(form, "service_code"))
        open311_errors_add(errors, 400, "service_code is required");
    if ((lat || lon) && !(coordinate(lat, -90, 90, &s->lat) && coordinate(lon, -180, 180, &s->lon)))
        open311_errors_add(errors, 400, "lat and long must both be given, in degrees (-90..90, -180..180)");
    s->has_coordinates = lat && lon && !json_array_size(errors);
    if (!lat && !lon && !open311_form_get(form, "address_string") && !open311_form_get(form, "address_id"))
        open311_errors_add(errors, 400, "a location is required: lat and long, address_string or address_id");
    if (description && utf8_text_length(description, strlen(description)) > OPEN311_DESCRIPTION_MAX)
        open311_errors_add(errors, 400, "description may be at most 4000 characters");
}

/* The values sent for attribute `code` (attribute[code] and attribute[code][]), one per line. */
static size_t attribute_values(const open311_form_t *form, const char *code, const char **values, size_t cap)
{
    char single[64], multi[64];
    snprintf(single, sizeof single, "attribute[%s]", code);
    snprintf(multi, sizeof multi, "attribute[%s][]", code);
    size_t n = 0, cursor = 0;
    for (const open311_field_t *f; (f = open311_form_next(form, "attribute[", &cursor)) && n < cap;)
        if (strcmp(f->name, single) == 0 || strcmp(f->name, multi) == 0)
            values[n++] = f->value;
    return n;
}

static bool value_allowed(json_t *attribute, const char *value)
{
    const char *type = json_string_value(json_object_get(attribute, "datatype"));
    int64_t when;
    char *end = NULL;
    if (strcmp(type, "number") == 0) {
        double number = strtod(value, &end);
        return end != value && !*end && isfinite(number);
    }
    if (strcmp(type, "datetime") == 0)
        return open311_datetime_parse(value, &when);
    if (strcmp(type, "singlevaluelist") != 0 && strcmp(type, "multivaluelist") != 0)
        return true;
    size_t i;
    json_t *item;
    json_array_foreach(json_object_get(attribute, "values"), i, item)
        if (strcmp(json_string_value(json_object_get(item, "key")), value) == 0)
            return true;
    return false;
}

/* Checks each attribute of the definition (NULL: the service asks for none). */
static void check_attributes(const open311_form_t *form, json_t *definition, json_t *errors)
{
    size_t i;
    json_t *attribute;
    json_array_foreach(json_object_get(definition, "attributes"), i, attribute) {
        const char *code = json_string_value(json_object_get(attribute, "code")), *values[OPEN311_FORM_FIELDS_MAX];
        size_t n = attribute_values(form, code, values, OPEN311_FORM_FIELDS_MAX);
        bool single = strcmp(json_string_value(json_object_get(attribute, "datatype")), "multivaluelist") != 0;
        char message[200];
        snprintf(message, sizeof message, "attribute[%s] is required", code);
        if (!n && json_is_true(json_object_get(attribute, "required")))
            open311_errors_add(errors, 400, message);
        snprintf(message, sizeof message, "attribute[%s] has a value its definition does not allow", code);
        for (size_t v = 0; v < n; v++)
            if (!value_allowed(attribute, values[v]) || (single && v > 0)) {
                open311_errors_add(errors, 400, message);
                break;
            }
    }
}

/* "o311:" + the first 16 bytes of BLAKE2b over the app and every field but the key, in order. */
static void derive_key(const open311_form_t *form, const open311_app_t *app, char token[OPEN311_TOKEN_HEX + 1],
                       char **key)
{
    crypto_generichash_state state;
    unsigned char hash[OPEN311_TOKEN_HEX / 2];
    char id[32];
    snprintf(id, sizeof id, "%lld", (long long) app->id);
    crypto_generichash_init(&state, NULL, 0, sizeof hash);
    crypto_generichash_update(&state, (const unsigned char *) id, strlen(id) + 1);
    for (size_t i = 0; i < form->count; i++) {
        if (strcmp(form->items[i].name, "api_key") == 0)
            continue;
        crypto_generichash_update(&state, (const unsigned char *) form->items[i].name, strlen(form->items[i].name) + 1);
        crypto_generichash_update(&state, (const unsigned char *) form->items[i].value,
                                  strlen(form->items[i].value) + 1);
    }
    crypto_generichash_final(&state, hash, sizeof hash);
    sodium_bin2hex(token, OPEN311_TOKEN_HEX + 1, hash, sizeof hash);
    char text[8 + OPEN311_TOKEN_HEX];
    snprintf(text, sizeof text, "o311:%s", token);
    mpf_set_string(key, text);
}

/* Title, body (description and attributes), location and reporter. -1 when out of memory. */
static int fill_text(const open311_form_t *form, report_submission_t *s)
{
    const char *description = open311_form_get(form, "description"), *code = open311_form_get(form, "service_code");
    char title[OPEN311_TITLE_BYTES + 1];
    size_t line = description ? strcspn(description, "\r\n") : 0;
    if (line >= 5)
        snprintf(title, sizeof title, "%.*s", (int) utf8_text_prefix(description, line < OPEN311_TITLE_BYTES
                                                                                   ? line : OPEN311_TITLE_BYTES),
                 description);
    else
        snprintf(title, sizeof title, "Laporan layanan %s", code);
    text_buffer_t body = {0};
    if (!description || strlen(description) < 10) {   /* the body's minimum: say what was asked for */
        text_buffer_append_str(&body, "Laporan layanan ");
        text_buffer_append_str(&body, code);
        text_buffer_append_str(&body, description ? ": " : "");
    }
    text_buffer_append_str(&body, description ? description : "");
    size_t cursor = 0;
    for (const open311_field_t *f; (f = open311_form_next(form, "attribute[", &cursor));) {
        const char *attribute = f->name + sizeof "attribute[" - 1;
        text_buffer_append_str(&body, "\n");
        text_buffer_append(&body, attribute, strcspn(attribute, "]"));
        text_buffer_append_str(&body, ": ");
        text_buffer_append_str(&body, f->value);
    }
    const char *address_id = open311_form_get(form, "address_id");
    if (address_id && strcmp(address_id, "#NOTPINPOINTED#") != 0) {   /* FixMyStreet: no point chosen */
        text_buffer_append_str(&body, "\naddress_id: ");
        text_buffer_append_str(&body, address_id);
    }
    s->body = text_buffer_take(&body, NULL);
    const char *first = open311_form_get(form, "first_name"), *last = open311_form_get(form, "last_name");
    char name[2 * 256 + 2];
    snprintf(name, sizeof name, "%s%s%s", first ? first : "", first && last ? " " : "", last ? last : "");
    return s->body && mpf_set_string(&s->title, title) == 0 && mpf_set_string(&s->category, code) == 0
                   && mpf_set_string(&s->address, open311_form_get(form, "address_string")) == 0
                   && mpf_set_string(&s->reporter_name, *name ? name : NULL) == 0
                   && mpf_set_string(&s->reporter_email, open311_form_get(form, "email")) == 0
                   && mpf_set_string(&s->reporter_phone, open311_form_get(form, "phone")) == 0
               ? 0 : -1;
}

static int fill_submission(const open311_form_t *form, const open311_app_t *app, report_submission_t *s,
                           char token[OPEN311_TOKEN_HEX + 1])
{
    char channel[64];
    snprintf(channel, sizeof channel, "%s%s", REPORT_OPEN311_CHANNEL_PREFIX, app->name);
    derive_key(form, app, token, &s->idempotency_key);
    return s->idempotency_key && fill_text(form, s) == 0 && mpf_set_string(&s->classification, "complaint") == 0
                   && mpf_set_string(&s->region, app->region) == 0 && mpf_set_string(&s->channel, channel) == 0
               ? 0 : -1;
}

static enum MHD_Result answer_receipt(struct MHD_Connection *c, request_t *req, open311_format_t fmt,
                                      const envelope_t *reply, const open311_app_t *app, const char *token)
{
    report_receipt_t receipt;
    char why[200];
    if (report_receipt_decode(reply->body, reply->body_size, &receipt, why, sizeof why) != 0) {
        logger_error("undecodable receipt from intake: %s", why);
        return http_send_problem(c, req, &PROBLEM_INTERNAL, NULL, NULL, NULL);
    }
    json_t *doc = json_pack("[{s:s, s:s, s:n}]", app->answer_token ? "token" : "service_request_id",
                            app->answer_token ? token : receipt.tracking_id, "service_notice", "", "account_id");
    report_receipt_clear(&receipt);
    return open311_send(c, req, fmt, 201, doc, "service_requests");
}

/* Checked and admitted: the definition (its attributes), then the report. */
static enum MHD_Result submit_checked(struct MHD_Connection *c, request_t *req, open311_format_t fmt,
                                      const open311_form_t *form, const open311_app_t *app, report_submission_t *s)
{
    enum MHD_Result rc = MHD_NO;
    bool undefined = false;
    open311_query_t q = {.kind = "definition"};
    char code[REPORT_CODE_MAX + 1], token[OPEN311_TOKEN_HEX + 1], reason[256];
    snprintf(code, sizeof code, "%s", s->category);
    q.service_code = code;
    json_t *definition = open311_query(c, req, fmt, &q, &undefined, &rc);
    if (!definition && !undefined)
        return rc;
    json_t *errors = open311_errors_new();
    check_attributes(form, definition, errors);
    json_decref(definition);
    if (json_array_size(errors))
        return open311_send_errors(c, req, fmt, errors);
    json_decref(errors);
    unsigned char *body = NULL;
    size_t size = 0;
    if (fill_submission(form, app, s, token) != 0 || report_submission_encode(s, &body, &size) != 0)
        return http_send_problem(c, req, &PROBLEM_INTERNAL, NULL, NULL, NULL);
    envelope_t *reply = http_command(req, PEER_INTAKE, MSG_REPORT_SUBMIT, body, size, reason, sizeof reason);
    rc = reply && strcmp(reply->type, MSG_REPORT_RECEIPT) == 0 ? answer_receipt(c, req, fmt, reply, app, token)
                                                               : open311_send_failure(c, req, fmt, reply, reason);
    envelope_destroy(&reply);
    return rc;
}

open311_form_t *open311_post_form(struct MHD_Connection *c, request_t *req, open311_format_t fmt, json_t *errors,
                                  open311_app_t *app, bool *known, enum MHD_Result *rc)
{
    open311_form_t *form = open311_form_new();
    if (!form) {
        *rc = http_send_problem(c, req, &PROBLEM_INTERNAL, NULL, NULL, NULL);
        return NULL;
    }
    if (open311_api_read_form(c, req, fmt, true, form, rc) != 0) {
        open311_form_destroy(&form);
        return NULL;
    }
    open311_api_jurisdiction_ok(form, errors);
    *known = open311_api_app(form, app, errors);
    return form;
}

enum MHD_Result open311_submit(struct MHD_Connection *c, request_t *req, open311_format_t fmt)
{
    json_t *errors = open311_errors_new();
    report_submission_t s;
    memset(&s, 0, sizeof s);
    open311_app_t app;
    bool known = false;
    enum MHD_Result rc;
    open311_form_t *form = errors ? open311_post_form(c, req, fmt, errors, &app, &known, &rc) : NULL;
    if (!errors)
        rc = http_send_problem(c, req, &PROBLEM_INTERNAL, NULL, NULL, NULL);
    else if (form) {
        check_form(form, &s, errors);
        if (json_array_size(errors)) {
            rc = open311_send_errors(c, req, fmt, errors);
            errors = NULL;
        } else if (mpf_set_string(&s.category, open311_form_get(form, "service_code")) != 0)
            rc = http_send_problem(c, req, &PROBLEM_INTERNAL, NULL, NULL, NULL);
        else if (known && request_limits_admit(c, req, RATE_OPEN311, app.name, &rc))
            rc = submit_checked(c, req, fmt, form, &app, &s);
    }
    json_decref(errors);
    report_submission_clear(&s);
    open311_form_destroy(&form);
    return rc;
}
