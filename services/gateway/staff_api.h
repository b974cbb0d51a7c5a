#ifndef ADUAN_GATEWAY_STAFF_API_H
#define ADUAN_GATEWAY_STAFF_API_H

#include <stdbool.h>

#include "command_actor.h"
#include "http_reply.h"
#include "staff_accounts.h"

/* Staff endpoints (docs/api.md, "Staff"): sign-in and sign-out (POST /sessions,
 * GET|DELETE /sessions/current, DELETE /sessions: every session of the member), the verification desk
 * (GET /desk, from aduan-verify), the reason codes staff may give (GET /reason-codes) and the institution's reports (GET /staff/reports[/{id}], from
 * aduan-route). The gateway owns authentication, so it reads accounts and sessions from
 * PostgreSQL itself, one connection per HTTP thread, whose statements are cancelled after
 * statement_timeout_ms (0 = never); everything else goes over commands. Sessions end after
 * session_ttl_minutes, or after session_idle_minutes without use. Password hashing waits for a
 * slot (password_slots.h) and sign-in for the rate limits (request_limits.h). */
int staff_api_setup(const char *db_url, long session_ttl_minutes, long session_idle_minutes,
                    long statement_timeout_ms);
void staff_api_teardown(void);

/* Serves the request when the URL is one of these (*handled true). */
enum MHD_Result staff_api_route(struct MHD_Connection *c, request_t *req, const char *method, const char *url,
                                bool *handled);

/* This HTTP thread's connection to the accounts database (the gateway owns authentication);
 * NULL with the error. */
db_t *staff_api_db(db_error_t *error);

/* 503 with Retry-After, the database error logged. */
enum MHD_Result staff_api_unavailable(struct MHD_Connection *c, request_t *req, const db_error_t *error);

/* True with *who when a valid session token came with the request; false with the answer
 * (401, or 503 when the accounts database is unreachable) already sent in *rc. */
bool staff_api_authenticate(struct MHD_Connection *c, request_t *req, staff_member_t *who, enum MHD_Result *rc);

/* staff_api_authenticate with the member as the actor of a command (command_actor.h). */
bool staff_api_actor(struct MHD_Connection *c, request_t *req, command_actor_t *actor, enum MHD_Result *rc);

/* The accounts database for a request with a valid session (*who); NULL with the answer (401, 503)
 * sent in *rc. */
db_t *staff_api_signed_in(struct MHD_Connection *c, request_t *req, staff_member_t *who, enum MHD_Result *rc);

/* True once the request holds a password hashing slot (password_slots_leave gives it back); false
 * with 503 and Retry-After sent in *rc when every slot stayed taken. */
bool staff_api_enter_password_slot(struct MHD_Connection *c, request_t *req, enum MHD_Result *rc);

/* Whether the session of `token` still stands, without counting as its use (live_api.h):
 * 0 stands, 1 ended (expired, idle, signed out, deactivated), -1 the database is unreachable. */
int staff_api_session_stands(const char *token);

#endif
