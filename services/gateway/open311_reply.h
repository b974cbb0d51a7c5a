#ifndef ADUAN_GATEWAY_OPEN311_REPLY_H
#define ADUAN_GATEWAY_OPEN311_REPLY_H

#include <jansson.h>
#include <stdbool.h>

#include "http_reply.h"
#include "open311_query_codec.h"

/* Answers of the Open311 server in either format, and its one read command. */

typedef enum { OPEN311_XML, OPEN311_JSON } open311_format_t;

/* Sends `doc` (ownership taken) with `status` as XML under `root` or as JSON. */
enum MHD_Result open311_send(struct MHD_Connection *c, request_t *req, open311_format_t fmt, unsigned status,
                             json_t *doc, const char *root);
/* The standard's error list (ownership taken), with the highest of its codes as the status. */
enum MHD_Result open311_send_errors(struct MHD_Connection *c, request_t *req, open311_format_t fmt, json_t *errors);
enum MHD_Result open311_send_error(struct MHD_Connection *c, request_t *req, open311_format_t fmt, int code,
                                   const char *description);
/* A command that did not answer as hoped: its error as 400/403/404, otherwise 500, or 503 with
 * Retry-After when no replica answered. */
enum MHD_Result open311_send_failure(struct MHD_Connection *c, request_t *req, open311_format_t fmt,
                                     const envelope_t *reply, const char *reason);

/* Sends open311.query to intake; the document on success, else NULL with the answer sent in *rc,
 * except that with `not_found` given a not-found answer only sets *not_found (nothing sent). */
json_t *open311_query(struct MHD_Connection *c, request_t *req, open311_format_t fmt, const open311_query_t *q,
                      bool *not_found, enum MHD_Result *rc);

#endif
