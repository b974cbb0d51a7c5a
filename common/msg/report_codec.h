#ifndef ADUAN_REPORT_CODEC_H
#define ADUAN_REPORT_CODEC_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The report messages carried in envelope bodies (version 1). Every string is owned by its struct
 * (malloc'd, NUL-terminated, valid UTF-8); optional strings are NULL when absent. Decoders are
 * strict: unknown keys, wrong types, over-long strings or missing required fields are rejected
 * with a reason, and a decoder never reads past `size`. Encoding is deterministic (fixed key
 * order), so an encoding can be hashed as a fingerprint. */
#define REPORT_CODEC_VERSION 1

/* report.submit */
typedef struct {
    char *idempotency_key;       /* required, REPORT_IDEMPOTENCY_KEY_MIN..REPORT_COMMAND_KEY_MAX bytes */
    char *classification;        /* required: complaint | aspiration | information_request */
    char *title;                 /* required */
    char *body;                  /* required */
    char *category;              /* required, category code */
    char *region;                /* required, region code */
    char *incident_date;         /* optional, YYYY-MM-DD */
    char *address;               /* optional */
    bool has_coordinates;
    double lat, lon;             /* meaningful only when has_coordinates */
    char *target_institution;    /* optional, institution code */
    bool anonymous;
    bool confidential;
    char *reporter_name;         /* optional */
    char *reporter_email;        /* optional */
    char *reporter_phone;        /* optional */
    char *channel;               /* required: web | api | open311 | sms | whatsapp | email | phone | walk_in | social_media */
} report_submission_t;

/* report.receipt: the answer to report.submit. */
typedef struct {
    char *tracking_id;
    char *reporter_token;        /* the secret, shown once; stored only hashed */
    char *status;
    int64_t submitted_at_ms;
} report_receipt_t;

/* report.get */
typedef struct {
    char *tracking_id;           /* as typed by a person; intake normalises it */
    char *reporter_token;        /* optional: unlocks confidential content and own contact data */
} report_lookup_t;

typedef struct {
    int64_t at_ms;
    char *action;                /* submitted, verified, ... */
    char *actor_role;            /* reporter, system, national_admin, ... */
    char *status_after;
    char *note;                  /* NULL when none or hidden */
} report_action_t;

/* report.view: what a caller may see of a report, already filtered for privacy by the server. */
typedef struct {
    char *tracking_id;
    char *classification;
    char *status;
    char *public_status;         /* the public bucket of the status (table report_statuses) */
    bool anonymous;
    bool confidential;
    bool content_hidden;         /* confidential and no valid reporter token presented */
    bool reporter_authorized;    /* a valid reporter token was presented */
    char *title;                 /* NULL when content_hidden */
    char *body;                  /* NULL when content_hidden */
    char *category;
    char *region;
    char *incident_date;
    char *address;               /* NULL when content_hidden */
    bool has_coordinates;        /* false when content_hidden */
    double lat, lon;
    char *target_institution;
    char *institution;           /* currently responsible institution, NULL while unassigned */
    char *channel;
    char *reporter_name;         /* NULL when anonymous (unless reporter_authorized) */
    char *reporter_email;        /* only when reporter_authorized */
    char *reporter_phone;        /* only when reporter_authorized */
    int64_t submitted_at_ms;
    int64_t updated_at_ms;
    char *deadline_kind;         /* the open clock due first (verification, follow_up, resolution,
                                    reporter_reply), NULL when none runs; public like the status */
    bool has_deadline;
    int64_t deadline_due_ms;     /* when that clock is due */
    int64_t attachment_count;    /* photos and PDFs (attachment_codec.h); 0 when content_hidden */
    size_t action_count;
    report_action_t *actions;    /* oldest first */
} report_view_t;

#define REPORT_VIEW_MAX_ACTIONS 1000

/* Each encoder returns a malloc'd buffer in *out (0 on success, -1 on allocation failure).
 * Each decoder fills a zeroed struct (0) or returns -1 with a reason and leaves nothing allocated.
 * *_clear frees the strings and zeroes the struct; safe on a zeroed or half-filled struct. */
int report_submission_encode(const report_submission_t *in, unsigned char **out, size_t *out_size);
int report_submission_decode(const void *data, size_t size, report_submission_t *out,
                             char *reason, size_t reason_cap);
void report_submission_clear(report_submission_t *self);

int report_receipt_encode(const report_receipt_t *in, unsigned char **out, size_t *out_size);
int report_receipt_decode(const void *data, size_t size, report_receipt_t *out,
                          char *reason, size_t reason_cap);
void report_receipt_clear(report_receipt_t *self);

int report_lookup_encode(const report_lookup_t *in, unsigned char **out, size_t *out_size);
int report_lookup_decode(const void *data, size_t size, report_lookup_t *out,
                         char *reason, size_t reason_cap);
void report_lookup_clear(report_lookup_t *self);

int report_view_encode(const report_view_t *in, unsigned char **out, size_t *out_size);
int report_view_decode(const void *data, size_t size, report_view_t *out,
                       char *reason, size_t reason_cap);
void report_view_clear(report_view_t *self);

#endif
