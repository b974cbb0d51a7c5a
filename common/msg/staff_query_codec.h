#ifndef ADUAN_STAFF_QUERY_CODEC_H
#define ADUAN_STAFF_QUERY_CODEC_H
#include "envelope.h"
#include "message_types.h"

#include <stddef.h>
#include <stdint.h>

/* staff.query → staff.document: what staff read (the verification desk, their institution's
 * reports, one report with its history and clocks). The answer is a JSON document rendered by the
 * serving service's store, already scoped and privacy-filtered there, which the gateway passes on
 * unchanged; keeping the rendering next to the SQL means the filter exists in one place only. */

#define STAFF_DOCUMENT_MAX (900 * 1024)
#define STAFF_QUERY_LIMIT_MAX 200
/* The longest `next` cursor of a staff list: three 64-bit numbers and a 16-digit check. */
#define STAFF_CURSOR_MAX 80

typedef struct {
    char *view;                 /* desk | reports | report | reasons */
    char *actor_role;
    char *actor_id;
    char *actor_institution;
    char *tracking_id;          /* view "report" */
    char *status;               /* optional filter: a status or a public bucket */
    char *institution;          /* optional filter: holder within the actor's subtree */
    char *category;             /* optional filter: a category code and its subcategories */
    char *region;               /* optional filter: a region code and the regions inside it */
    char *text;                 /* optional: a tracking id, or words in the title or body */
    char *overdue;              /* optional "true" | "false": an open clock past its due time */
    char *duplicates;           /* optional "true" | "false": pre-checks found possible duplicates */
    char *older_than_days;      /* optional: submitted at least this many days ago */
    char *sort;                 /* optional: due (default) | newest | oldest | updated */
    char *mine;                 /* optional "true" | "false": assigned to the actor */
    char *after;                /* optional: the `next` cursor of an earlier page of the same list */
    uint32_t limit;
    uint32_t offset;
} staff_query_t;

typedef struct {
    char *json;
} staff_document_t;

int staff_query_encode(const staff_query_t *in, unsigned char **out, size_t *out_size);
int staff_query_decode(const void *data, size_t size, staff_query_t *out, char *reason, size_t reason_cap);
void staff_query_clear(staff_query_t *self);

int staff_document_encode(const staff_document_t *in, unsigned char **out, size_t *out_size);
int staff_document_decode(const void *data, size_t size, staff_document_t *out, char *reason, size_t reason_cap);
void staff_document_clear(staff_document_t *self);
/* Turns `reply` into a staff.document carrying `json` (copied: the caller still owns it). 0, or -1 when it could not be encoded. */
int staff_document_into(envelope_t *reply, char *json);

#endif
