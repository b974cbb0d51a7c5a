#ifndef ADUAN_STATS_QUERY_CODEC_H
#define ADUAN_STATS_QUERY_CODEC_H
#include "message_types.h"

#include <stddef.h>
#include <stdint.h>

/* The messages of aduan-stats' query server (docs/operations.md, ADUAN_STATS_QUERY_BIND).
 *
 * stats.query → stats.document: figures, rankings, the satisfaction index and exports. The filter
 * travels as the client wrote it and the server validates it, scopes it to the actor and renders
 * the answer as JSON, so the rules live next to the SQL only. No actor: the public view.
 *
 * survey.answer → survey.recorded: a reporter's answers about their closed report (tracking id
 * and reporter token) or a service user's about an institution with a one-time survey code the
 * institution issued, nine elements U1..U9 each 1..4 or 0 (left out). The envelope's request id
 * makes a resend the same answer, recorded once.
 *
 * survey.codes → stats.document: an admin asks for `count` one-time survey codes of an institution
 * of its subtree; the document lists them (shown this once; stats keeps their hashes).
 *
 * stats.rebuild → stats.rebuilt: an operator's `aduan-admin rebuild-stats`: the statistics counted
 * again from the whole event log, in one transaction, by the service that owns them. */

/* The version these bodies are, carried in the envelope's "v". */
#define STATS_QUERY_VERSION 1
/* Below the envelope's limit (ENVELOPE_MAX_BYTES), leaving room for the envelope itself. */
#define STATS_DOCUMENT_MAX (1000 * 1024)
/* Longest value of a filter argument; every valid one is much shorter. */
#define STATS_QUERY_TEXT_MAX 64
#define SURVEY_ANSWER_ELEMENTS 9

typedef struct {
    char *view;                 /* summary | series | rankings | ikm | export_summary | export_reports */
    char *actor_role;           /* all three or none (public) */
    char *actor_id;
    char *actor_institution;
    char *group_by, *period, *from, *to, *institution, *level, *region, *category, *classification, *channel;
    char *order;                /* rankings */
    char *min_reports;          /* rankings: as written, read by the server like every other argument */
} stats_query_t;

typedef struct {
    char *json;
} stats_document_t;

typedef struct {
    char *tracking_id;          /* a reporter: with reporter_token ... */
    char *reporter_token;
    char *institution;          /* ... or a service user: the institution answered about, */
    char *code;                 /* with a survey code it issued */
    uint32_t answers[SURVEY_ANSWER_ELEMENTS];
} survey_answer_t;

/* Most codes one survey.codes issues. */
#define SURVEY_CODES_MAX 1000
/* Longest survey code a message carries (issued ones are 43 characters). */
#define SURVEY_CODE_MAX 64

typedef struct {
    char *actor_role, *actor_id, *actor_institution;   /* the admin, authenticated by the gateway */
    char *institution;          /* whose service users get the codes */
    uint32_t count;             /* 1..SURVEY_CODES_MAX */
} survey_codes_t;

typedef struct {
    char *respondent;           /* reporter | service_user */
} survey_recorded_t;

typedef struct {
    char *requested_by;         /* optional: who asked (the operator's login), for the log */
} stats_rebuild_t;

typedef struct {
    int64_t events;             /* how many events were counted */
} stats_rebuilt_t;

int stats_query_encode(const stats_query_t *in, unsigned char **out, size_t *out_size);
int stats_query_decode(const void *data, size_t size, stats_query_t *out, char *reason, size_t reason_cap);
void stats_query_clear(stats_query_t *self);

int stats_document_encode(const stats_document_t *in, unsigned char **out, size_t *out_size);
int stats_document_decode(const void *data, size_t size, stats_document_t *out, char *reason, size_t reason_cap);
void stats_document_clear(stats_document_t *self);

int survey_answer_encode(const survey_answer_t *in, unsigned char **out, size_t *out_size);
int survey_answer_decode(const void *data, size_t size, survey_answer_t *out, char *reason, size_t reason_cap);
void survey_answer_clear(survey_answer_t *self);

int survey_codes_encode(const survey_codes_t *in, unsigned char **out, size_t *out_size);
int survey_codes_decode(const void *data, size_t size, survey_codes_t *out, char *reason, size_t reason_cap);
void survey_codes_clear(survey_codes_t *self);

int survey_recorded_encode(const survey_recorded_t *in, unsigned char **out, size_t *out_size);
int survey_recorded_decode(const void *data, size_t size, survey_recorded_t *out, char *reason, size_t reason_cap);
void survey_recorded_clear(survey_recorded_t *self);

int stats_rebuild_encode(const stats_rebuild_t *in, unsigned char **out, size_t *out_size);
int stats_rebuild_decode(const void *data, size_t size, stats_rebuild_t *out, char *reason, size_t reason_cap);
void stats_rebuild_clear(stats_rebuild_t *self);

int stats_rebuilt_encode(const stats_rebuilt_t *in, unsigned char **out, size_t *out_size);
int stats_rebuilt_decode(const void *data, size_t size, stats_rebuilt_t *out, char *reason, size_t reason_cap);

#endif
