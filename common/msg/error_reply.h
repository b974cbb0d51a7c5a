#ifndef ADUAN_ERROR_REPLY_H
#define ADUAN_ERROR_REPLY_H
#include "envelope.h"
#include "field_errors.h"

/* The typed error a command server answers with (envelope type "error"). The gateway maps codes to
 * HTTP statuses: invalid 422, idempotency_mismatch 422, not_found 404, in_flight 409,
 * unavailable 503, internal 500, forbidden 403, conflict 409, not_resendable 409, answered 409;
 * bad_message and unknown_type are 500 there, because they mean the gateway itself sent something
 * wrong. */
#define ERROR_INVALID              "invalid"
#define ERROR_IDEMPOTENCY_MISMATCH "idempotency_mismatch"
#define ERROR_NOT_FOUND            "not_found"
#define ERROR_IN_FLIGHT            "in_flight"
#define ERROR_BAD_MESSAGE          "bad_message"
#define ERROR_UNKNOWN_TYPE         "unknown_type"
#define ERROR_UNAVAILABLE          "unavailable"
#define ERROR_INTERNAL             "internal"
#define ERROR_FORBIDDEN            "forbidden"     /* 403: the actor's role or scope does not allow it */
#define ERROR_CONFLICT             "conflict"      /* 409: not allowed in the report's current status */
#define ERROR_NOT_RESENDABLE       "not_resendable" /* 409: the delivery is not dead, or its webhook is off */
#define ERROR_ANSWERED             "answered"      /* 409: the report's survey was answered already */

typedef struct {
    char code[32];
    char detail[256];
    char status[32];        /* conflict: the report's current status; "" otherwise */
    field_errors_t fields;
} error_reply_t;

int error_reply_encode(const error_reply_t *in, unsigned char **out, size_t *out_size);
int error_reply_decode(const void *data, size_t size, error_reply_t *out,
                       char *reason, size_t reason_cap);

/* Turns `reply` into an error reply (type "error", body = encoded `error`). 0 on success. */
int error_reply_into(envelope_t *reply, const error_reply_t *error);
/* How a store or a command refuses: *self gets the code and detail (no field errors; add them
 * after), and the return value is 1 — the one meaning of 1 in every function that can refuse
 * (0 done, 1 refused with an error_reply_t, -1 failed with a reason). */
int error_reply_refuse(error_reply_t *self, const char *code, const char *detail);

/* The same, refused as invalid with these field errors (copied). */
int error_reply_invalid(error_reply_t *self, const char *detail, const field_errors_t *errors);

/* Convenience for the common case without field errors. */
int error_reply_simple(envelope_t *reply, const char *code, const char *detail);

#endif
