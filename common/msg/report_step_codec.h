#ifndef ADUAN_REPORT_STEP_CODEC_H
#define ADUAN_REPORT_STEP_CODEC_H
#include "message_types.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* report.act → report.outcome: one step of a report's life (report_lifecycle.h names the actions),
 * asked by the gateway for a signed-in staff member or a reporter holding the token. The actor
 * fields come from the gateway's session check, never from the HTTP body. Strict decoders as in
 * report_codec.h. */

#define REPORT_STEP_NOTE_MAX 5000
#define REPORT_STEP_ATTACHMENT_MAX 500

typedef struct {
    char *tracking_id;
    char *action;
    char *actor_role;           /* reporter | national_admin | institution_admin | unit_liaison | analyst */
    char *actor_id;             /* staff username; NULL for reporters */
    char *actor_institution;    /* staff's institution; NULL for reporters */
    char *reporter_token;       /* reporters only */
    char *reason_code;
    char *note;                 /* question, follow-up text, reply, closing remark */
    char *institution;          /* dispatch/transfer destination; verify/not_our_authority override */
    char *duplicate_of;         /* tracking id of the original (link_duplicate) */
    char *attachment;           /* reference to an attachment (follow_up) */
    char *assignee;             /* staff username of the holding institution (assign) */
    /* corrections at verification */
    char *title;
    char *category;
    char *classification;
    bool has_field_supervision, field_supervision;
    bool has_anonymous, anonymous;
    bool has_confidential, confidential;
} report_step_t;

typedef struct {
    char *tracking_id;
    char *action;
    char *status;
    char *public_status;
    char *institution;          /* holder after the action; NULL before dispatch */
    int64_t at_ms;
} report_outcome_t;

int report_step_encode(const report_step_t *in, unsigned char **out, size_t *out_size);
int report_step_decode(const void *data, size_t size, report_step_t *out, char *reason, size_t reason_cap);
void report_step_clear(report_step_t *self);
/* A step the system takes by itself (routing, auto-close): *self owns copies of the strings given
 * (institution and note may be NULL). 0, or -1 when out of memory (clear it either way). */
int report_step_system(report_step_t *self, const char *tracking_id, const char *action, const char *institution,
                       const char *note);

int report_outcome_encode(const report_outcome_t *in, unsigned char **out, size_t *out_size);
int report_outcome_decode(const void *data, size_t size, report_outcome_t *out, char *reason, size_t reason_cap);
void report_outcome_clear(report_outcome_t *self);

#endif
