#ifndef ADUAN_GATEWAY_HTTP_WAIT_H
#define ADUAN_GATEWAY_HTTP_WAIT_H

#include <microhttpd.h>
#include <stdbool.h>

#include "http_reply.h"

/* A request that waits for a service without holding an HTTP thread ("replay continuation").
 *
 * Handlers are written as if http_command() blocked. A pass of the handler runs until its first
 * command that has no stored result: http_command sets the command aside (req->outgoing) and
 * returns NULL, and every answer the rest of the pass tries to send is dropped. Then the
 * connection is suspended (MHD_suspend_connection) and the command handed to the dispatcher
 * (command_links.h); the thread goes back to its other connections. When the reply comes, or
 * every attempt timed out, the dispatcher stores it in the request and resumes the connection;
 * libmicrohttpd calls the access handler again, and the handler runs from the top: the k-th
 * http_command now returns the k-th stored result at once.
 *
 * So a handler must do before a command only what it may do again: reading headers and the
 * body, checks, encoding. Side effects are done once per request: request_limits_admit takes its
 * tokens in the first pass only; metrics and the access log are written on completion. Staff
 * authentication is a read and is done again in each pass.
 *
 * Chosen over explicit continuations so that handlers keep one shape (and new ones need nothing
 * new), and over swapping stacks (ucontext), which AddressSanitizer does not follow. */

typedef enum MHD_Result (http_handler_fn)(struct MHD_Connection *c, request_t *req, const char *method,
                                          const char *url);

/* Runs a pass of `handler` for `req`, and when it stopped at a command, suspends the connection
 * and sends the command. The daemon must allow suspend/resume (MHD_ALLOW_SUSPEND_RESUME). */
enum MHD_Result http_wait_run(struct MHD_Connection *c, request_t *req, http_handler_fn *handler, const char *method,
                              const char *url);

/* Frees what the passes of `req` kept; on completion, which may come between a resume and the
 * next pass when the client has gone. */
void http_wait_clear(request_t *req);

/* Publishes the waiting-requests gauge (at 0) before any request has waited: a series that
 * appeared only with the first wait left a scraper, or a probe reading it, without a value. */
void http_wait_publish_gauge(void);

/* Requests suspended now, or resumed and not yet run again. */
unsigned http_wait_count(void);

#endif
