#include "problem.h"

#include <jansson.h>
#include <string.h>

#include "error_reply.h"

const problem_kind_t PROBLEM_VALIDATION = {422, "validation-error", "The request has invalid fields"};
const problem_kind_t PROBLEM_MALFORMED = {400, "malformed-request", "The request could not be read"};
const problem_kind_t PROBLEM_NOT_FOUND = {404, "not-found", "Not found"};
const problem_kind_t PROBLEM_METHOD = {405, "method-not-allowed", "Method not allowed on this resource"};
const problem_kind_t PROBLEM_TOO_LARGE = {413, "payload-too-large", "The request body is too large"};
const problem_kind_t PROBLEM_MEDIA_TYPE = {415, "unsupported-media-type", "The request body must be JSON"};
const problem_kind_t PROBLEM_KEY_REUSED = {422, "idempotency-key-reused", "The idempotency key was used for another request"};
const problem_kind_t PROBLEM_IN_FLIGHT = {409, "request-in-flight", "A request with this idempotency key is in progress"};
const problem_kind_t PROBLEM_UNAVAILABLE = {503, "service-unavailable", "The service is temporarily unavailable"};
const problem_kind_t PROBLEM_RATE_LIMITED = {429, "rate-limited", "Too many requests"};
const problem_kind_t PROBLEM_UNAUTHORIZED = {401, "unauthorized", "Sign in first"};
const problem_kind_t PROBLEM_FORBIDDEN = {403, "forbidden", "Not allowed for this account"};
const problem_kind_t PROBLEM_NOT_RESENDABLE = {409, "not-resendable",
                                              "Only a dead delivery whose receiver is enabled can be sent again"};
const problem_kind_t PROBLEM_SURVEY_ANSWERED = {409, "survey-answered", "The survey of this report was answered already"};
const problem_kind_t PROBLEM_ILLEGAL_TRANSITION = {409, "illegal-transition", "Not allowed in the report's current status"};
const problem_kind_t PROBLEM_INTERNAL = {500, "internal-error", "Internal error"};

char *problem_render(const problem_kind_t *kind, const char *detail, const field_errors_t *errors)
{
    return problem_render_status(kind, detail, errors, NULL);
}

char *problem_render_status(const problem_kind_t *kind, const char *detail, const field_errors_t *errors,
                            const char *current_status)
{
    char type[128];
    snprintf(type, sizeof type, "%s%s", PROBLEM_BASE, kind->slug);
    json_t *doc = json_object();
    json_object_set_new(doc, "type", json_string(type));
    json_object_set_new(doc, "title", json_string(kind->title));
    json_object_set_new(doc, "status", json_integer(kind->status));
    json_t *text = json_string(detail ? detail : kind->title);
    json_object_set_new(doc, "detail", text ? text : json_string(kind->title));
    if (errors && errors->count) {
        json_t *list = json_array();
        for (size_t i = 0; i < errors->count; i++) {
            const field_error_t *e = &errors->items[i];
            json_t *message = json_string(e->message);
            json_array_append_new(list, json_pack("{s:s, s:s, s:o}", "field", e->field, "code", e->code,
                                                  "message", message ? message : json_string("invalid")));
        }
        json_object_set_new(doc, "errors", list);
    }
    if (current_status && *current_status)
        json_object_set_new(doc, "current_status", json_string(current_status));
    char *out = json_dumps(doc, JSON_COMPACT);
    json_decref(doc);
    return out;
}

const problem_kind_t *problem_for_error_code(const char *code)
{
    static const struct { const char *code; const problem_kind_t *kind; } map[] = {
        {ERROR_INVALID, &PROBLEM_VALIDATION},      {ERROR_IDEMPOTENCY_MISMATCH, &PROBLEM_KEY_REUSED},
        {ERROR_NOT_FOUND, &PROBLEM_NOT_FOUND},     {ERROR_IN_FLIGHT, &PROBLEM_IN_FLIGHT},
        {ERROR_BAD_MESSAGE, &PROBLEM_INTERNAL},    {ERROR_UNKNOWN_TYPE, &PROBLEM_INTERNAL},
        {ERROR_UNAVAILABLE, &PROBLEM_UNAVAILABLE}, {ERROR_INTERNAL, &PROBLEM_INTERNAL},
        {ERROR_FORBIDDEN, &PROBLEM_FORBIDDEN},     {ERROR_CONFLICT, &PROBLEM_ILLEGAL_TRANSITION},
        {ERROR_NOT_RESENDABLE, &PROBLEM_NOT_RESENDABLE},
        {ERROR_ANSWERED, &PROBLEM_SURVEY_ANSWERED}, {ERROR_RATE_LIMITED, &PROBLEM_RATE_LIMITED},
    };
    for (size_t i = 0; i < sizeof map / sizeof map[0]; i++)
        if (strcmp(map[i].code, code) == 0)
            return map[i].kind;
    return &PROBLEM_INTERNAL;
}
