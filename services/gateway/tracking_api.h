#ifndef ADUAN_GATEWAY_TRACKING_API_H
#define ADUAN_GATEWAY_TRACKING_API_H

#include <microhttpd.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "http_reply.h"
#include "tracking_cache.h"

/* GET tracking's public answers kept in the gateway (tracking_cache.h): the handler of
 * GET /api/v1/reports/{id} asks here first, and what the gateway forwards that may change a view
 * is told here once answered. Without setup (or a max age of 0) nothing is kept. */

/* bytes: what the kept views may cost at most; max_age_ms 0 keeps nothing. -1 with a reason when memory ran out. */
int tracking_api_setup(size_t bytes, int64_t max_age_ms, char *reason, size_t reason_cap);
void tracking_api_teardown(void);
/* Drops every kept view: an idle gateway gives their memory back. */
void tracking_api_forget_kept(void);
/* The cache the live feed forgets into, NULL when nothing is kept. */
tracking_cache_t *tracking_api_cache(void);

/* In the first pass of GET tracking: true when the kept public view was sent (*answered is the
 * result); else the generation to keep the answer under is noted in req. A request with a
 * reporter token is never answered from what is kept. */
bool tracking_api_answer_kept(struct MHD_Connection *c, request_t *req, const char *tracking_id,
                              enum MHD_Result *answered);
/* Keeps `view` (the JSON sent) as the public view of tracking_id when the request had no token. */
void tracking_api_keep(struct MHD_Connection *c, const request_t *req, const char *tracking_id, const char *view);
/* A request other than GET or HEAD was answered: forgets what it may have changed (its report's
 * view for a URL under /api/v1/reports/{id}/, every view for any other change, nothing for a new
 * report or a refusal that by contract changed nothing). */
void tracking_api_after_change(const request_t *req, const char *method, const char *url);

#endif
