#ifndef ADUAN_UPSTREAM_FORM_H
#define ADUAN_UPSTREAM_FORM_H

#include <stdbool.h>

/* Federation (docs/open311.md "Federation"): what a report forwarded to an upstream Open311
 * server (another aduan instance, or any GeoReport v2 server) is sent as, and what its answer
 * says. Pure text in, text out, so the bytes sent can be checked without a server. */

/* The report as the forwarder read it, with the upstream's settings. Borrowed strings; NULL or ""
 * when absent. */
typedef struct {
    const char *api_key, *jurisdiction_id, *service_code;
    const char *origin, *tracking_id;  /* this instance's jurisdiction and the report's id here */
    const char *title, *body, *address;
    bool has_position;
    double lat, lon;
    bool anonymous, confidential;
    const char *reporter_name, *reporter_email, *reporter_phone;
} upstream_report_t;

/* The POST requests.json body (application/x-www-form-urlencoded). The same report gives the same
 * bytes every time: fields in one fixed order, numbers in one format, nothing of the moment of
 * sending. That is what makes a resend safe: an aduan upstream derives the POST's idempotency key
 * from the API key's id and the fields sent, so a resend after a lost answer (a crash, a timeout)
 * is answered with the first id and makes no second report. An anonymous reporter's contact is
 * never sent. Returns the body (caller frees); NULL with *reason when the report may not leave
 * (a confidential one: Open311 has no way to say so) or on allocation failure. */
char *upstream_form_request(const upstream_report_t *report, const char **reason);

/* One value percent-encoded for a URL's path or query (an id or token the upstream chose, a
 * jurisdiction); caller frees; NULL on allocation failure. */
char *upstream_form_escape(const char *value);

/* The parts of a requests.json answer (an array of one request; or, with an HTTP error, the
 * standard's error list). */
typedef struct {
    char *service_request_id;  /* at least one of these two on success (tokens/{t} answers both) */
    char *token;
    char *errors;              /* "code description; ..." when the answer was an error list */
} upstream_answer_t;

/* 0 and the id or token; 1 when the answer is an error list (answer->errors says which); -1 when
 * it is not an Open311 answer at all. */
int upstream_form_answer(const char *json, upstream_answer_t *answer);
void upstream_answer_clear(upstream_answer_t *answer);

#endif
