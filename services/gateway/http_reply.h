#ifndef ADUAN_GATEWAY_HTTP_REPLY_H
#define ADUAN_GATEWAY_HTTP_REPLY_H

#include <jansson.h>
#include <microhttpd.h>
#include <stdbool.h>
#include <time.h>

#include "command_links.h"
#include "envelope.h"
#include "error_reply.h"
#include "http_api.h"
#include "problem.h"

/* What every endpoint module of the gateway shares: the request in progress, answers (JSON,
 * problems, command failures), reading a JSON body within limits, and sending a command. */

/* What one command of a request came back with, kept for the passes after it (http_wait.h). */
typedef struct {
    envelope_t *reply;            /* NULL: none came, see reason */
    char reason[256];
} command_result_t;

/* Commands one request may send; no handler sends more than one today. */
#define HTTP_COMMANDS_MAX 4

typedef struct {
    char id[ENVELOPE_ID_MAX + 1];
    struct timespec started;
    char *body;
    size_t size;
    size_t body_max;              /* HTTP_API_BODY_MAX, larger for an upload (attachment_api.h) */
    bool too_large;
    unsigned status;
    const char *route;
    command_peer_t peer;          /* of the last command sent, for messages */
    char command_id[ENVELOPE_ID_MAX + 1];  /* id for commands instead of `id` (idempotency keys); "" = id */
    /* The handler runs again from the top after each command's reply (http_wait.h); this is what
     * the passes before did, so that the pass after does not do it again. */
    struct MHD_Connection *connection;
    MHD_socket client_fd;         /* the connection's, to see whether the client left while waiting */
    bool suspended;               /* waiting for results[results_count] */
    envelope_t *outgoing;         /* the command this pass stopped at: answers are not sent meanwhile */
    command_peer_t outgoing_peer;
    unsigned pass_commands;       /* http_command calls in this pass */
    unsigned pass_admissions;     /* request_limits_admit calls in this pass */
    unsigned admissions;          /* rate-limit admissions granted in earlier passes */
    unsigned results_count;
    command_result_t results[HTTP_COMMANDS_MAX];
    uint64_t tracking_generation; /* tracking_api.h: the kept views' generation before intake was asked */
} request_t;

/* An endpoint module's router: answers and sets *handled when `url` is one of its own. */
typedef enum MHD_Result(http_route_fn)(struct MHD_Connection *c, request_t *req, const char *method, const char *url,
                                       bool *handled);

/* Each takes ownership of `text` / `doc`. `headers` is a NULL-terminated name, value list. */
enum MHD_Result http_send_text(struct MHD_Connection *c, request_t *req, unsigned status, const char *type,
                               char *text, const char *const *headers);
enum MHD_Result http_send_json(struct MHD_Connection *c, request_t *req, unsigned status, json_t *doc,
                               const char *const *headers);
enum MHD_Result http_send_problem(struct MHD_Connection *c, request_t *req, const problem_kind_t *kind,
                                  const char *detail, const field_errors_t *errors, const char *const *headers);

/* The answer when a command did not give the reply hoped for: an error reply (its code mapped to a
 * status, the current status of an illegal transition passed on), no reply at all (503 +
 * Retry-After, `reason` logged), or anything else, such as an undecodable reply (500, logged). */
enum MHD_Result http_send_command_failure(struct MHD_Connection *c, request_t *req, const envelope_t *reply,
                                          const char *reason);
/* The answer for a typed error, wherever it came from (a command's reply, or a store the gateway
 * owns): the one mapping from error codes to problem documents. */
enum MHD_Result http_send_error(struct MHD_Connection *c, request_t *req, const error_reply_t *error);

/* Sends a command whose body the caller encoded (ownership taken); NULL when no replica answered.
 * Without a thread waiting for it: in the first pass of the handler it returns NULL with the
 * command set aside (req->outgoing), every answer the pass then sends is dropped, and the handler
 * runs again once the reply came, when this call returns it (a copy the caller destroys). */
envelope_t *http_command(request_t *req, command_peer_t peer, const char *type, unsigned char *body, size_t size,
                         char *reason, size_t cap);

/* True when the next http_command of this pass returns an earlier pass's stored result: a handler
 * may then skip what only built that command (the body's parsing and checks, its encoding), since
 * the pass that sent it did all of it. */
bool http_command_answered(const request_t *req);

/* http_command, then a staff.document reply passed on as the JSON it is, with `status` (204:
 * without the document), or the command's failure answered as http_send_command_failure does.
 * `encoded` is the encoder's result for `body` (taken either way): not 0 answers 500 unsent. */
enum MHD_Result http_document_command(struct MHD_Connection *c, request_t *req, command_peer_t peer, const char *type,
                                      int encoded, unsigned char *body, size_t size, unsigned status);

/* 405 with the Allow header. */
enum MHD_Result http_wrong_method(struct MHD_Connection *c, request_t *req, const char *allow);

bool http_is_json_content_type(const char *type);
/* True when s is min to max bytes of printable ASCII without spaces: the shape of the random ids
 * and tokens clients send (a supporter id, a follower's token). */
bool http_is_printable_word(const char *s, size_t min, size_t max);
size_t http_json_depth(json_t *value);

/* The part of url after prefix: NULL when url is not under it, "" when it is the prefix itself. */
const char *http_path_under(const char *url, const char *prefix);
/* A positive id from a path segment, 0 when it is not one. */
long long http_path_id(const char *text);

/* The token of an "Authorization: Bearer" header, or NULL. */
const char *http_bearer_token(struct MHD_Connection *c);

/* The string member `key` of a JSON object, or NULL when absent (an error when required) or not a
 * string (an error always), the problem added to errors. */
const char *http_json_string(json_t *root, const char *key, bool required, field_errors_t *errors);

/* The body as JSON within the limits (media type, size, syntax, depth); NULL when it is not, with the problem already sent and its result in *answered. */
json_t *http_read_json(struct MHD_Connection *c, request_t *req, enum MHD_Result *answered);

#endif
