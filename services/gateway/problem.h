#ifndef ADUAN_GATEWAY_PROBLEM_H
#define ADUAN_GATEWAY_PROBLEM_H
#include "field_errors.h"

/* RFC 9457 problem documents (application/problem+json). Each kind of problem has one stable type
 * URI (PROBLEM_BASE + slug), documented in docs/api.md. */
#define PROBLEM_BASE "https://aduan.example/problems/"

typedef struct {
    unsigned status;
    const char *slug;    /* validation-error, malformed-request, not-found, ... */
    const char *title;   /* short, fixed per slug */
} problem_kind_t;

extern const problem_kind_t PROBLEM_VALIDATION;
extern const problem_kind_t PROBLEM_MALFORMED;
extern const problem_kind_t PROBLEM_NOT_FOUND;
extern const problem_kind_t PROBLEM_METHOD;
extern const problem_kind_t PROBLEM_TOO_LARGE;
extern const problem_kind_t PROBLEM_MEDIA_TYPE;
extern const problem_kind_t PROBLEM_KEY_REUSED;
extern const problem_kind_t PROBLEM_IN_FLIGHT;
extern const problem_kind_t PROBLEM_UNAVAILABLE;
extern const problem_kind_t PROBLEM_RATE_LIMITED;
extern const problem_kind_t PROBLEM_INTERNAL;
extern const problem_kind_t PROBLEM_UNAUTHORIZED;
extern const problem_kind_t PROBLEM_FORBIDDEN;
extern const problem_kind_t PROBLEM_ILLEGAL_TRANSITION;
extern const problem_kind_t PROBLEM_NOT_RESENDABLE;
extern const problem_kind_t PROBLEM_SURVEY_ANSWERED;

/* The document as a malloc'd JSON string; `errors` may be NULL or empty. */
char *problem_render(const problem_kind_t *kind, const char *detail, const field_errors_t *errors);
/* The same with a "current_status" member (illegal transitions), omitted when NULL or empty. */
char *problem_render_status(const problem_kind_t *kind, const char *detail, const field_errors_t *errors,
                            const char *current_status);

/* The problem for an error code of a command reply (error_reply.h). */
const problem_kind_t *problem_for_error_code(const char *code);

#endif
